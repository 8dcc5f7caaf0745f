"""The rough edges of the first hour (issue 15): compressed inputs, exit codes, no-argument use on
a terminal, the summary and progress lines, one record contract in every format, the table's
width, Maildir++ subfolders, optional parts, imap:// sources, completion and the man page."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dsnparse
from dsnparse.cli import main
from dsnparse.cli.progress import progress_line
from dsnparse.io.sinks import TableSink, columns_of
from dsnparse.io.store import MessageKey

from .conftest import FIXTURES, ROOT, fixture_bytes

USERUNKNOWN = fixture_bytes("rfc3464/userunknown.eml")
MULTI = fixture_bytes("rfc3464/multi-recipient.eml")
NOT_BOUNCE = b"From: a@example.com\nTo: b@example.org\nSubject: lunch\n\nSee you at noon.\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def records(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def mbox(*messages: bytes) -> bytes:
    return b"".join(b"From MAILER-DAEMON Tue Mar 10 09:12:01 2026\n" + m + b"\n" for m in messages)


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress], ids=["gz", "bz2", "xz"])
def test_compressed_messages_and_mboxes_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compress: object
) -> None:
    suffix = {gzip.compress: ".gz", bz2.compress: ".bz2", lzma.compress: ".xz"}[compress]  # type: ignore[index]
    (tmp_path / f"one.eml{suffix}").write_bytes(compress(USERUNKNOWN))  # type: ignore[operator]
    (tmp_path / f"box.mbox{suffix}").write_bytes(compress(mbox(USERUNKNOWN, MULTI)))  # type: ignore[operator]
    code, out, _ = run(["-j", "1", str(tmp_path)], capsys)
    got = [(Path(str(r["source"])).name, r["recipient"]) for r in records(out)]
    assert code == 0 and got == [
        (f"box.mbox{suffix}#1", "nobody-here@example.com"),
        (f"box.mbox{suffix}#2", "full@example.com"),
        (f"box.mbox{suffix}#2", "gone@example.net"),
        (f"one.eml{suffix}", "nobody-here@example.com"),
    ]


def test_a_damaged_compressed_input_is_unreadable_with_its_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bounces.mbox.gz"
    bad.write_bytes(gzip.compress(mbox(USERUNKNOWN))[:200])
    code, out, err = run(["-j", "1", str(bad)], capsys)
    assert code == 1 and out == ""
    assert err.startswith(f"dsnparse: {bad}: cannot read: Compressed file ended before the end-of-stream marker")


def test_no_argument_on_a_terminal_prints_usage(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code, out, err = run([], capsys)
    assert code == 2 and out == ""
    assert err.startswith("usage: dsnparse") and "pipe a message into stdin" in err


@pytest.mark.parametrize("args", [["-j", "-3"], ["--code-table", "/nonexistent"], ["--limit", "parts=x"],
                                  ["check", "--code-table", "/nonexistent", "fixtures"],
                                  ["ingest", "--db", "x.sqlite", "--batch-size", "0", "fixtures"]])
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    assert "usage: dsnparse" in capsys.readouterr().err


def test_the_summary_counts_messages_and_records_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.eml").write_bytes(MULTI)
    (tmp_path / "b.eml").write_bytes(NOT_BOUNCE)
    code, _, err = run(["-j", "1", "--summary", str(tmp_path), str(tmp_path / "missing.eml")], capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        "dsnparse: 2 messages (failure 1, not_bounce 1); 2 records (failure 2); 1 unreadable; 0 hit a limit"
    )
    _, _, quiet = run(["-j", "1", str(tmp_path)], capsys)
    assert quiet == ""  # stderr is no terminal and no --summary: nothing but errors


def test_the_progress_line_estimates_when_the_total_is_known() -> None:
    assert progress_line(1200, 4_100_000, 9_800_000, 4.0) == (
        "1,200 messages, 4.1 of 9.8 MB (42%), 300/s, about 6s left"
    )
    assert progress_line(1200, 0, None, 4.0) == "1,200 messages, 300/s"


def test_kind_is_in_every_record_and_csv_rows_of_non_bounces_carry_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.eml").write_bytes(MULTI)
    (tmp_path / "b.eml").write_bytes(NOT_BOUNCE)
    _, out, _ = run(["-j", "1", "--all", str(tmp_path)], capsys)
    got = records(out)
    assert [r["kind"] for r in got] == ["failure", "failure", "not_bounce"]
    assert all(list(r) == list(dsnparse.FIELDS) for r in got)
    assert list(dsnparse.FIELDS[:2]) == ["source", "kind"]
    _, out, _ = run(["-j", "1", "--all", "--format", "csv", str(tmp_path)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[-1]["source"] == str(tmp_path / "b.eml") and rows[-1]["kind"] == "not_bounce"
    assert [r["kind"] for r in rows] == ["failure", "failure", "not_bounce"]


def test_header_values_are_csv_and_table_columns(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    path = str(FIXTURES / "rfc3464" / "userunknown.eml")
    _, out, _ = run(["--header", "X-Campaign-ID", "--format", "csv", path], capsys)
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["X-Campaign-ID"] == "spring-2026"
    _, out, _ = run(["--header", "X-Campaign-ID", "--format", "table", path], capsys)
    title, line = out.splitlines()
    assert "X-CAMPAIGN-ID" in title and "spring-2026" in line


def test_the_table_fits_the_terminal_and_keeps_the_file_name(tmp_path: Path) -> None:
    deep = "/var/spool/bounces/" + "very-long-folder-name/" * 6 + "userunknown.eml"
    record = dsnparse.parse(USERUNKNOWN, source=deep).records[0].to_dict()
    record["flags"] = ["limit:message_bytes"]
    for width in (80, 100, 160):
        out = io.StringIO()
        sink = TableSink(out, width=width)
        sink.write(record)
        sink.close()
        lines = out.getvalue().splitlines()
        assert max(len(line) for line in lines) <= width, lines
        title, row = lines
        assert row.startswith("…") and "userunknown.eml" in row.split()[0]  # cut from the left
        assert "KIND" in title and "FLAGS" in title and "limit:message_bytes" in row
        assert ("nobody-here@example.com" in row) is (width > 80)
        assert ("DIAGNOSTIC" in title) is (width > 100)


def test_wide_characters_keep_the_table_aligned(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    _, out, _ = run(["--format", "table", str(FIXTURES / "rfc3464")], capsys)
    title, *rows = out.splitlines()
    starts = {columns_of(row[: row.index(" failure ") + 1]) for row in rows if " failure " in row}
    assert starts == {columns_of(title[: title.index("KIND")])} and any("ユーザー" in row for row in rows)


def test_maildir_subfolders_are_named_or_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "Maildir"
    for folder in (root, root / ".Processed", root / ".Unparsed"):
        for sub in ("new", "cur", "tmp"):
            (folder / sub).mkdir(parents=True)
    (root / "new" / "1.eml").write_bytes(USERUNKNOWN)
    (root / ".Processed" / "cur" / "2.eml").write_bytes(MULTI)
    code, out, err = run(["-j", "1", str(root)], capsys)
    assert code == 0 and len(records(out)) == 1
    assert err == (f"dsnparse: {root}: skipped the Maildir++ subfolders .Processed, .Unparsed "
                   "(--maildir-subfolders reads them)\n")
    code, out, err = run(["-j", "1", "--maildir-subfolders", str(root)], capsys)
    assert code == 0 and err == "" and len(records(out)) == 3


def test_imap_sources_percent_encode_the_user_name() -> None:
    key = MessageKey("bounces@example.com@imap.example.org/INBOX", 7, 42)
    assert key.source == "imap://bounces%40example.com@imap.example.org/INBOX;UIDVALIDITY=7/;UID=42"


def test_default_limits_are_exported() -> None:
    assert dsnparse.Limits() == dsnparse.DEFAULT_LIMITS
    assert dsnparse.DEFAULT_LIMITS.updated(["recipients=5000"]).max_recipients == 5000


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_imap_without_its_extra_says_what_to_install() -> None:
    proc = _python("import sys; sys.modules['imapclient'] = None; from dsnparse.cli import main; "
                   "sys.exit(main(['imap', '--host', 'h', '--user', 'u', '--password-env', 'P']))")
    assert proc.returncode == 2
    assert proc.stderr == "dsnparse: dsnparse imap needs the imapclient package: pip install 'dsnparse[imap]'\n"


def test_dask_without_dask_says_what_to_install() -> None:
    proc = _python("import sys; sys.modules['dask'] = None; sys.modules['dask.bag'] = None\n"
                   "try:\n    import dsnparse.io.dask\nexcept ImportError as exc:\n    print(exc)")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == "dsnparse.io.dask needs the dask package: pip install 'dsnparse[dask]'\n"


def test_completion_offers_commands_and_options(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete")
    answer = tmp_path / "completions"

    def complete(line: str) -> list[str]:
        env = {"_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
               "_ARGCOMPLETE_STDOUT_FILENAME": str(answer)}
        proc = _python("import sys; from dsnparse.cli import main; sys.exit(main())", env=env)
        assert proc.returncode == 0, proc.stderr
        return [word.strip() for word in answer.read_text().split("\x0b")]

    assert {"check", "ingest", "imap", "suppressions", "completion", "--format"} <= set(complete("dsnparse "))
    assert complete("dsnparse check --up") == ["--update"]
    assert complete("dsnparse --mail") == ["--maildir-subfolders"]
    proc = _python("import sys; from dsnparse.cli import main; sys.exit(main(['completion', 'bash']))")
    assert proc.returncode == 0 and "complete " in proc.stdout and "dsnparse" in proc.stdout


def test_completion_without_argcomplete_says_what_to_install() -> None:
    proc = _python("import sys; sys.modules['argcomplete'] = None; from dsnparse.cli import main; "
                   "sys.exit(main(['completion']))")
    assert proc.returncode == 2 and "pip install 'dsnparse[completion]'" in proc.stderr


def test_the_man_page_is_up_to_date_and_lists_every_option() -> None:
    from dsnparse.cli.main import full_parser
    from dsnparse.cli.manpage import manpage

    page = manpage()
    assert (ROOT / "docs" / "dsnparse.1").read_text(encoding="utf-8") == page, (
        "docs/dsnparse.1 is out of date: python -m dsnparse.cli.manpage > docs/dsnparse.1"
    )
    parser = full_parser()
    parsers = [parser, *next(a for a in parser._actions if a.dest == "command").choices.values()]
    for p in parsers:
        for action in p._actions:
            for option in action.option_strings:
                escaped = option.replace("-", "\\-")
                assert f"\\fB{escaped}\\fR" in page, option
    for name in ("check", "ingest", "imap", "suppressions", "completion"):
        assert f'.SS "dsnparse {name}"' in page


def test_imap_and_ingest_take_the_shared_record_options() -> None:
    from dsnparse.cli.mailbox import PARSERS
    from dsnparse.cli.options import record_options

    for name, argv in (("imap", ["--host", "h", "--user", "u", "--password-env", "P"]), ("ingest", ["--db", "d", "x"])):
        ap = PARSERS[name]()
        args = ap.parse_args([*argv, "--limit", "parts=7", "--header", "X-Campaign-ID"])
        options = record_options(ap, args)
        assert (options.limits.max_parts, options.headers) == (7, ("X-Campaign-ID",)), name


def test_the_store_keeps_kind_in_one_column(tmp_path: Path) -> None:
    import sqlite3

    from dsnparse.io.store import Store

    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, str(FIXTURES / "rfc3464" / "userunknown.eml")]) == 0
    names = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(records)")]
    assert names.count("kind") == 1
    with Store(db) as store:
        ((kind, record),) = list(store.records())
    assert kind == record.kind == "failure"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_and_summary_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.eml").write_bytes(MULTI)
    (tmp_path / "b.eml").write_bytes(USERUNKNOWN)
    size = len(MULTI) + len(USERUNKNOWN)
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["-j", "1", str(tmp_path), str(tmp_path / "missing.eml")]) == 1
    text = err.getvalue()
    assert text.startswith("\r1 message")
    assert f" of {size / 1e6:,.1f} MB (" in text  # the total is known: files on disk
    assert "\r\x1b[Kdsnparse: " + str(tmp_path / "missing.eml") + ": no such file or directory\n" in text
    assert text.endswith("dsnparse: 2 messages (failure 2); 3 records (failure 3); 1 unreadable; 0 hit a limit\n")
