"""Text from messages is data: CSV cells never start a spreadsheet formula, the terminal table
carries no control or escape sequences, JSON Lines stay one record per line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsnparse import cli
from dsnparse.io.sinks import CsvSink, JsonLinesSink, TableSink, csv_safe, terminal_safe

from .hostile import HEAD

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%", "\uff1d", "\uff0b", "\uff0d", "\uff20")
UNSAFE_IN_TERMINAL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[1;31m\x1b]8;;http://example.com/\x1b\\link\x1b]8;;\x1b\\\x9b6n\u202eeulav"


def _bounce(recipient: str, diagnostic: str) -> bytes:
    return (
        HEAD + b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nDelivery failed.\n\n"
        b"--b\nContent-Type: message/delivery-status; charset=utf-8\n\nReporting-MTA: dns; mx.example.net\n\n"
        + f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
          f"Diagnostic-Code: smtp; {diagnostic}\n\n".encode()
        + b"--b--\n"
    )


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """Bounces whose recipient, diagnostic and file name are attacks on spreadsheets and terminals."""
    (tmp_path / "formula.eml").write_bytes(_bounce("=1+2@example.org", "=HYPERLINK(\"http://example.com\",\"x\")"))
    (tmp_path / "cmd.eml").write_bytes(_bounce("-2+3@example.org", "@SUM(1+1)*cmd|' /C calc'!A0"))
    (tmp_path / "plus.eml").write_bytes(_bounce("+x@example.org", "+1 550 5.1.1 user unknown"))
    (tmp_path / "escapes.eml").write_bytes(_bounce("user@example.org", f"550 5.1.1 {ESCAPES} user unknown"))
    (tmp_path / "evil\x1b[2Jname\x07.eml").write_bytes(_bounce("user2@example.org", "550 5.1.1 no such user"))
    return tmp_path


def test_csv_cells_never_start_a_formula(hostile_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-j", "1", "--format", "csv", str(hostile_dir)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1 + 5
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert "'=1+2@example.org" in cells, "the value is kept, made inert"
    assert "'=HYPERLINK(\"http://example.com\",\"x\")" in cells


def test_table_output_has_no_control_sequences(hostile_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-j", "1", "--format", "table", str(hostile_dir)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 + 5
    assert "\x1b" not in out and "\x07" not in out
    assert not UNSAFE_IN_TERMINAL.search(out.replace("\n", ""))
    assert "owned" not in out, "an OSC window title is dropped whole"


def test_json_lines_stay_one_record_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "seps.eml").write_bytes(_bounce("user@example.org", "550 5.1.1 a\u2028b\u2029c\x85d\x1e user unknown"))
    assert cli.main(["-j", "1", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["recipient"] == "user@example.org"


@settings(max_examples=500, deadline=None, database=None)
@given(st.text())
def test_csv_safe_never_starts_a_formula(text: str) -> None:
    cell = csv_safe(text)
    assert not cell.startswith(FORMULA_START)
    assert cell in (text, "'" + text), "the value is kept"


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list("\x1b[];\x07\\P^_0m"))))
def test_terminal_safe_leaves_no_control(text: str) -> None:
    shown = terminal_safe(text, width=10_000)
    assert "\x1b" not in shown
    assert not UNSAFE_IN_TERMINAL.search(shown)


@pytest.mark.parametrize("value", [None, True, 5, ["limit:parts", "=x"], {"X-Campaign": "=cmd"}])
def test_csv_safe_non_text_values(value: object) -> None:
    assert not csv_safe(value).startswith(FORMULA_START)


def test_sinks_with_raw_records() -> None:
    record = {"source": "a\x1b[2J", "recipient": "=x@example.org", "diagnostic": "@a\u2028b", "flags": ["-f"]}
    out = io.StringIO()
    fields = ("source", "recipient", "diagnostic", "flags")
    for sink in (CsvSink(out, fields=fields), JsonLinesSink(out), TableSink(out)):
        sink.write(record)
        sink.close()
    text = out.getvalue()
    assert "'=x@example.org" in text and "'@a" in text and "'-f" in text
    assert "\\u2028" in text
    table = text.splitlines()[-1]
    assert "\x1b" not in table and "a  " in table
