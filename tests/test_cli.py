"""The command line: sources (files, dirs, mbox, Maildir, stdin), formats, exit codes, check."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dsnparse.cli import main
from dsnparse.io.sources import read_paths

from .conftest import FIXTURES, fixture_bytes

USERUNKNOWN = fixture_bytes("rfc3464/userunknown.eml")
MULTI = fixture_bytes("rfc3464/multi-recipient.eml")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def make_mbox(path: Path, messages: list[bytes]) -> None:
    with path.open("wb") as fh:
        for m in messages:
            fh.write(b"From MAILER-DAEMON Tue Mar 10 09:12:01 2026\n")
            fh.write(m.replace(b"\nFrom ", b"\n>From "))
            fh.write(b"\n")


def test_mbox_messages_are_numbered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box = tmp_path / "bounces.mbox"
    make_mbox(box, [USERUNKNOWN, MULTI, USERUNKNOWN])
    code, out, _ = run([str(box)], capsys)
    assert code == 0
    sources = [r["source"] for r in jsonl(out)]
    assert sources == [f"{box}#1", f"{box}#2", f"{box}#2", f"{box}#3"]


def test_single_message_mbox_keeps_the_path(tmp_path: Path) -> None:
    box = tmp_path / "one.eml"
    make_mbox(box, [USERUNKNOWN])
    items = list(read_paths([str(box)]))
    assert [i.source for i in items] == [str(box)]


def test_maildir_and_directories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(USERUNKNOWN)
    (maildir / "cur" / "2.host:2,S").write_bytes(MULTI)
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 0
    assert sorted(str(r["recipient"]) for r in jsonl(out)) == [
        "full@example.com", "gone@example.net", "nobody-here@example.com"]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(USERUNKNOWN))))
    code, out, _ = run(["-"], capsys)
    assert code == 0 and jsonl(out)[0]["source"] == "-"


def test_unreadable_input_is_named_and_the_rest_processed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(USERUNKNOWN)
    code, out, err = run([str(tmp_path / "missing.eml"), str(good)], capsys)
    assert code == 1
    assert "missing.eml: no such file or directory" in err
    assert jsonl(out)[0]["recipient"] == "nobody-here@example.com"


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--format", "xml"])
    assert exc.value.code == 2


def test_csv_and_table_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    path = tmp_path / "m.eml"
    path.write_bytes(MULTI)
    code, out, _ = run(["--format", "csv", str(path)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["recipient"] for r in rows] == ["full@example.com", "gone@example.net"]
    code, out, _ = run(["--format", "table", str(path)], capsys)
    assert out.splitlines()[0].split()[:4] == ["SOURCE", "KIND", "RECIPIENT", "REASON"]
    assert "gone@example.net" in out


def test_header_and_code_table_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "codes.csv"
    table.write_text("code,bounce_type,description\n5.1.1,Soft,We retry unknown users\n")
    path = tmp_path / "m.eml"
    path.write_bytes(USERUNKNOWN)
    code, out, _ = run(["--header", "X-Campaign-ID", "--code-table", str(table), str(path)], capsys)
    (rec,) = jsonl(out)
    assert code == 0
    assert rec["headers"] == {"X-Campaign-ID": "spring-2026"}
    assert (rec["bounce_type"], rec["description"]) == ("soft", "We retry unknown users")


def test_all_prints_non_bounces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hello.eml"
    path.write_bytes(b"From: a@example.com\nTo: b@example.net\nSubject: hi\n\nhello\n")
    assert jsonl(run([str(path)], capsys)[1]) == []
    (line,) = jsonl(run(["--all", str(path)], capsys)[1])
    assert line["kind"] == "not_bounce"


def test_check_command_reports_and_updates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "rfc3464" / "userunknown.eml", tmp_path / "case.eml")
    code, out, _ = run(["check", str(tmp_path)], capsys)
    assert code == 2 and f"no fixtures (messages with a .json beside them) found under {tmp_path}" in out
    code, out, _ = run(["check", "--update", str(tmp_path)], capsys)
    assert code == 0 and (tmp_path / "case.json").exists()
    expected = json.loads((tmp_path / "case.json").read_text())
    expected["records"][0]["status"] = "5.9.9"
    (tmp_path / "case.json").write_text(json.dumps(expected))
    code, out, _ = run(["check", str(tmp_path)], capsys)
    assert code == 1 and "record 0 (nobody-here@example.com) status: expected '5.9.9', got '5.1.1'" in out


def test_console_script_runs_on_the_bundled_fixtures() -> None:
    exe = Path(sys.executable).with_name("dsnparse")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(exe), "--format", "table", str(FIXTURES / "rfc3464")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "nobody-here@example.com" in proc.stdout
