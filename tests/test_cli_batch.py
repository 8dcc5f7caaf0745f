"""Batch commands keep going past a bad message, name it on stderr with its source and the
cause, and exit 1 at the end."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dsnparse import ParseError, cli
from dsnparse.io import parallel

from . import hostile
from .conftest import ROOT

POISON = b"X-Test-Poison: yes\n"


def _poisoned_parse(exc: Exception) -> object:
    """A stand-in for dsnparse.parse that fails like ``exc`` on messages carrying POISON."""
    real = parallel.parse

    def parse(raw: bytes, **kwargs: object) -> object:
        if POISON in raw:
            raise exc
        return real(raw, **kwargs)  # type: ignore[arg-type]

    return parse


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]], str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    """A directory: a good bounce, a poisoned one, another good bounce (sorted in that order)."""
    (tmp_path / "a-good.eml").write_bytes(hostile.bounce(1))
    (tmp_path / "b-bad.eml").write_bytes(POISON + hostile.bounce(1))
    (tmp_path / "c-good.eml").write_bytes(hostile.bounce(2))
    return tmp_path


@pytest.mark.parametrize(
    ("exc", "cause"),
    [(ParseError("MIME structure nested too deeply"), "MIME structure nested too deeply"),
     (RuntimeError("simulated parser bug"), "internal error: RuntimeError: simulated parser bug")],
    ids=["parse-error", "unexpected-exception"],
)
def test_a_bad_message_is_named_and_skipped(
    mailbox: Path, exc: Exception, cause: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parallel, "parse", _poisoned_parse(exc))
    code, records, err = _run(["-j", "1", str(mailbox)], capsys)
    assert code == 1
    assert [r["source"] for r in records] == [str(mailbox / "a-good.eml")] + [str(mailbox / "c-good.eml")] * 2
    assert err.strip() == f"dsnparse: {mailbox / 'b-bad.eml'}: {cause}"


def test_all_gives_the_bad_message_an_unparsed_record(
    mailbox: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parallel, "parse", _poisoned_parse(ParseError("defeated")))
    code, records, _ = _run(["-j", "1", "--all", str(mailbox)], capsys)
    assert code == 1
    bad = [r for r in records if r["source"] == str(mailbox / "b-bad.eml")]
    assert len(bad) == 1 and bad[0]["flags"] == ["unparsed"] and "defeated" in str(bad[0]["diagnostic"])
    assert len(records) == 4


def test_a_bad_message_inside_an_mbox_is_named_by_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sep = b"From MAILER-DAEMON@example.net Thu Jan  1 00:00:00 2026\n"
    box = tmp_path / "bounces.mbox"
    messages = [hostile.bounce(1), POISON + hostile.bounce(1), hostile.bounce(1)]
    box.write_bytes(b"\n".join(sep + m for m in messages))
    monkeypatch.setattr(parallel, "parse", _poisoned_parse(ParseError("defeated")))
    code, records, err = _run(["-j", "1", str(box)], capsys)
    assert code == 1
    assert [r["source"] for r in records] == [f"{box}#1", f"{box}#3"]
    assert err.strip() == f"dsnparse: {box}#2: defeated"


def test_unreadable_paths_are_named_and_the_rest_is_parsed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(hostile.bounce(1))
    missing = tmp_path / "missing.eml"
    code, records, err = _run(["-j", "1", str(missing), str(good)], capsys)
    assert code == 1
    assert [r["source"] for r in records] == [str(good)]
    assert err.strip() == f"dsnparse: {missing}: no such file or directory"


def test_hostile_messages_are_not_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Limits hit and garbage are flagged data, not failures: the batch exits 0."""
    (tmp_path / "deep.eml").write_bytes(hostile.nested_multipart(1000))
    (tmp_path / "parts.eml").write_bytes(hostile.many_parts(2000))
    (tmp_path / "garbage.eml").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "lexer.eml").write_bytes(  # addresses no tokeniser accepts: nothing may leak to stderr
        hostile.HEAD.replace(b"To: ", b'To: "\x1b]0;t\x07" <\x1b[2J') + b"Subject: Undelivered Mail\n\n"
        b"<\x1b[31mbob\x00@example.org>: 550 5.1.1 user unknown\n"
    )
    code, records, err = _run(["-j", "1", "--all", str(tmp_path)], capsys)
    assert (code, err) == (0, "")
    by_source = {Path(str(r["source"])).name: r for r in records}
    assert set(by_source) == {"deep.eml", "parts.eml", "garbage.eml", "empty.eml", "lexer.eml"}
    assert "limit:depth" in by_source["deep.eml"]["flags"]  # type: ignore[operator]
    assert "limit:parts" in by_source["parts.eml"]["flags"]  # type: ignore[operator]


def test_the_command_line_exit_status_with_worker_processes(tmp_path: Path) -> None:
    """End to end, in a real process with -j 2: every good message is reported in order, the
    unreadable one is named on stderr, the exit status is 1."""
    for i in range(150):
        (tmp_path / f"m{i:03}.eml").write_bytes(hostile.bounce(1))
    missing = tmp_path / "zz-missing.eml"
    result = subprocess.run(
        [sys.executable, "-m", "dsnparse", "-j", "2", str(tmp_path), str(missing)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )
    assert result.returncode == 1
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources == [str(tmp_path / f"m{i:03}.eml") for i in range(150)]
    assert result.stderr.strip() == f"dsnparse: {missing}: no such file or directory"


def test_the_imap_fetcher_parks_a_message_that_breaks_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse error or a parser bug files the message as failed (the failed folder), and the
    fetcher goes on; no server is needed to see the decision."""
    imap = pytest.importorskip("dsnparse.io.imap")
    from dsnparse.io.store import FAILED, PARSED, MessageKey

    settings = imap.Settings(host="127.0.0.1", credentials=imap.Credentials("bounces", password="not-used"))
    fetcher = imap.Fetcher(settings, imap.StreamSink(io.StringIO()))
    key = MessageKey(settings.mailbox, 7, 1)
    meta = {b"RFC822.SIZE": 2000}
    for exc in (ParseError("defeated"), RuntimeError("simulated parser bug")):
        monkeypatch.setattr(imap, "parse", _poisoned_parse(exc))
        bad = fetcher._entry(key, meta, {b"BODY[]": POISON + hostile.bounce(1)})
        assert bad.status == FAILED and str(exc) in str(bad.error)
        good = fetcher._entry(key, meta, {b"BODY[]": hostile.bounce(1)})
        assert good.status == PARSED and good.report is not None and good.report.records


@pytest.mark.parametrize("exc", [ParseError("defeated"), RuntimeError("simulated parser bug")], ids=["error", "bug"])
def test_ingest_stores_the_rest_and_names_the_bad_message(
    mailbox: Path, tmp_path_factory: pytest.TempPathFactory, exc: Exception,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    cli_store = pytest.importorskip("dsnparse.cli.mailbox")
    from dsnparse.io.store import Store

    monkeypatch.setattr(cli_store, "parse", _poisoned_parse(exc))
    db = tmp_path_factory.mktemp("store") / "bounces.sqlite"
    assert cli.main(["ingest", "--db", str(db), str(mailbox)]) == 1
    err = capsys.readouterr().err
    assert f"dsnparse: {mailbox / 'b-bad.eml'}: " in err and str(exc) in err
    with Store(str(db)) as store:
        assert store.count("messages") == 3
        assert sorted(str(r.source) for _, r in store.records()) == [str(mailbox / "a-good.eml")] + [
            str(mailbox / "c-good.eml")] * 2
