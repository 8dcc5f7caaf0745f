"""Each decoder reads its own files of the shared corpus (skipped when ``../shared`` is absent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsnparse import parse

from ..conftest import CORPUS

_FAMILIES = {"lhost-postfix": "postfix", "lhost-exim": "exim", "lhost-sendmail": "sendmail",
             "lhost-v5sendmail": "sendmail", "lhost-opensmtpd": "opensmtpd", "lhost-dragonfly": "dragonfly"}


def _corpus_cases() -> list[tuple[str, str, list[str]]]:
    truth = CORPUS / "truth.jsonl"
    if not truth.is_file():
        return []
    out = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        name = row["file"].rsplit("/", 1)[-1]
        family = name.rsplit("-", 1)[0]
        if row["file"].startswith("maildir/bsd/") and family in _FAMILIES:
            out.append((row["file"], _FAMILIES[family], sorted(r["recipient"].lower() for r in row["records"])))
    return out


@pytest.mark.skipif(not (CORPUS / "truth.jsonl").is_file(), reason="shared corpus not present")
@pytest.mark.parametrize(("path", "decoder", "recipients"), _corpus_cases())
def test_corpus_report_is_read_by_its_mta_decoder(path: str, decoder: str, recipients: list[str]) -> None:
    report = parse((CORPUS / path).read_bytes())
    assert {r.decoder for r in report.records} == {decoder}
    assert sorted((r.recipient or "").lower() for r in report.records) == recipients


def _corpus_files(prefixes: tuple[str, ...]) -> Iterator[Path]:
    folder = CORPUS / "maildir" / "bsd"
    for prefix in prefixes:
        yield from sorted(folder.glob(f"lhost-{prefix}-*.eml"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_files_of_the_batch_are_read_by_their_decoder() -> None:
    expected = {
        "qmail": "qmail",
        "courier": "courier",
        "exchange2003": "exchange2003",
        "imailserver": "imailserver",
        "notes": "notes",
        "domino": "notes",
        "messagingserver": "messagingserver",
        "ezweb": "ezweb",
        "kddi": "kddi",
        "biglobe": "biglobe",
        "verizon": "verizon",
        "x1": "x1",
        "x2": "x2 qmail",
        "x3": "x3",
        "x4": "qmail",
        "x5": "x5",
        "x6": "x6",
        "fml": "fml",
        "apachejames": "apachejames",
    }
    wrong = []
    for prefix, name in expected.items():
        for path in _corpus_files((prefix,)):
            records = parse(path.read_bytes()).records
            if not records or any(r.decoder not in (*name.split(), "rfc3464") for r in records):
                wrong.append((path.name, [r.decoder for r in records]))
    assert wrong == []
