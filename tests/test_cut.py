"""Limits bound the work and never hide a bounce: a message over ``max_message_bytes`` is cut part
by part (dsnparse/cut.py), the report parts kept, and a record the cut touched is flagged."""

from __future__ import annotations

import base64
import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest

import dsnparse
from dsnparse import Limits, cli
from dsnparse.cut import cut
from dsnparse.io.sources import read_paths

from .conftest import FIXTURES

HEAD = (
    b"From: MAILER-DAEMON@mx.example.org\nTo: sender@example.com\nSubject: Undelivered Mail\n"
    b'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
)
REPORT = (
    b"--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    b"Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: user unknown\n\n"
)
ORIGINAL = (
    b"--BB\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: gone@example.net\n"
    b"Subject: hello\nMessage-ID: <first@example.com>\n\n"
)


def big_text_first(size: int = 10_000_000) -> bytes:
    """A 10 MB human-readable part placed before the delivery-status part."""
    text = b"--BB\nContent-Type: text/plain\n\n" + (b"x" * 99 + b"\n") * (size // 100)
    return HEAD + text + REPORT + ORIGINAL + b"hi\n--BB--\n"


def only_record(report: dsnparse.Report) -> dsnparse.BounceRecord:
    (record,) = report.records
    return record


def test_a_huge_text_part_before_the_report_does_not_hide_it() -> None:
    record = only_record(dsnparse.parse(big_text_first()))
    assert (record.recipient, record.status, record.reason) == ("gone@example.net", "5.1.1", "userunknown")
    assert record.message_id == "<first@example.com>"  # the returned message's headers are still read
    assert "limit:message_bytes" in record.flags and record.kind == "failure"


def test_a_huge_attachment_and_returned_body_are_cut_by_themselves() -> None:
    limits = Limits(max_message_bytes=100_000, max_text_bytes=10_000)
    blob = base64.encodebytes(os.urandom(300_000))
    attachment = b"--BB\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" + blob
    raw = HEAD + attachment + REPORT + ORIGINAL + b"body line\n" * 40_000 + b"--BB--\n"
    kept, hits = cut(raw, limits)
    assert hits == ("message_bytes",) and len(kept) < 2 * (2 * 10_000) + 2_000  # a head of each big part
    record = only_record(dsnparse.parse(raw, limits=limits))
    assert (record.recipient, record.reason, record.subject) == ("gone@example.net", "userunknown", "hello")


def test_a_huge_subject_is_cut_and_the_rest_still_read() -> None:
    raw = HEAD.replace(b"Subject: Undelivered Mail", b"Subject: " + b"y" * 5_000_000) + REPORT + b"--BB--\n"
    record = only_record(dsnparse.parse(raw))
    assert (record.recipient, record.status, record.reason) == ("gone@example.net", "5.1.1", "userunknown")
    assert "limit:header_bytes" in record.flags


def test_a_stream_is_read_through_the_cutter() -> None:
    record = only_record(dsnparse.parse(io.BytesIO(big_text_first())))
    assert record.recipient == "gone@example.net" and "limit:message_bytes" in record.flags


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.eml"))[:200], ids=lambda p: p.name)
def test_a_message_within_the_limit_is_untouched(path: Path) -> None:
    raw = path.read_bytes()
    assert cut(raw, Limits(max_message_bytes=len(raw))) == (raw, ())


def test_every_message_over_the_limit_keeps_its_report() -> None:
    """Bundled bounces squeezed to a limit below their size still give their recipients."""
    squeezed = 0
    for path in sorted((FIXTURES / "rfc3464").glob("*.eml")):
        raw = path.read_bytes()
        whole = dsnparse.parse(raw)
        small = dsnparse.parse(raw, limits=Limits(max_message_bytes=len(raw) // 2))
        if any(r.recipient for r in whole.records):
            squeezed += 1
            assert [r.recipient for r in small.records] == [r.recipient for r in whole.records], path.name
            assert all("limit:message_bytes" in r.flags for r in small.records)
    assert squeezed >= 3


def test_the_cli_names_the_hit_and_keeps_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.eml"
    path.write_bytes(big_text_first())
    assert cli.main(["-j", "1", "--summary", str(path)]) == 0
    out, err = capsys.readouterr()
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["recipient"] == "gone@example.net" and "limit:message_bytes" in record["flags"]
    assert f"dsnparse: {path}: hit limit text_bytes, message_bytes (see --limit)" in err
    assert "1 hit a limit (message_bytes 1, text_bytes 1)" in err


def test_ingest_reads_with_the_bounded_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dsnparse.io.store import Store

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "big.eml").write_bytes(big_text_first())
    db = str(tmp_path / "b.sqlite")
    assert cli.main(["ingest", "--db", db, "--limit", "message_bytes=1000000", str(tmp_path / "in")]) == 0
    with Store(db) as store:
        ((kind, record),) = list(store.records())
    assert (kind, record.recipient, record.kind) == ("failure", "gone@example.net", "failure")
    assert "limit:message_bytes" in record.flags


def test_a_giant_mbox_line_is_never_held_whole(tmp_path: Path) -> None:
    """A 200 MB line (a sparse file: no disk used) inside the first message of an mbox: memory
    stays bounded by the limit, and the next message is still found."""
    sep = b"From MAILER-DAEMON@example.org Thu Jan  1 00:00:00 2026\n"
    box = tmp_path / "giant.mbox"
    with box.open("wb") as fh:
        fh.write(sep + HEAD + REPORT + b"--BB\nContent-Type: text/plain\n\n")
        fh.seek(200_000_000, os.SEEK_CUR)  # a hole: reads back as NUL bytes, one line without end
        fh.write(b"\n--BB--\n\n" + sep + HEAD + REPORT + b"--BB--\n")
    limits = Limits(max_message_bytes=1_000_000)
    tracemalloc.start()
    try:
        items = list(read_paths([str(box)], limits))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000
    assert [i.source.rsplit("/", 1)[-1] for i in items] == ["giant.mbox#1", "giant.mbox#2"]
    assert items[0].cut == ("message_bytes",) and items[1].cut == ()
    for item in items:
        record = only_record(dsnparse.parse(item.raw or b"", limits=limits))
        assert record.recipient == "gone@example.net"
