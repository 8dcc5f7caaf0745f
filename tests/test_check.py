"""``dsnparse check`` is safe in CI: nothing checked fails, a bad expectation is one error line,
exit codes 0/1/2, ``--update`` keeps the pinned keys and shows its diff, records match by recipient."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsnparse.cli import main

from .conftest import FIXTURES

MULTI = FIXTURES / "rfc3464" / "multi-recipient.eml"
USERUNKNOWN = FIXTURES / "rfc3464" / "userunknown.eml"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def pin(folder: Path, message: Path, expected: object, name: str = "case") -> Path:
    shutil.copy(message, folder / f"{name}.eml")
    js = folder / f"{name}.json"
    js.write_text(json.dumps(expected, indent=2) + "\n" if not isinstance(expected, str) else expected)
    return js


@pytest.mark.parametrize("target", ["missing", "empty", "lone-file"])
def test_nothing_to_check_is_an_error(tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = {"missing": tmp_path / "nonexistent", "empty": tmp_path, "lone-file": tmp_path / "m.eml"}[target]
    if target == "lone-file":
        shutil.copy(USERUNKNOWN, path)
    code, out = run([str(path)], capsys)
    assert code == 2
    assert f"no fixtures (messages with a .json beside them) found under {path}" in out
    assert "0 passed, 0 failed, 1 errors" in out


def test_a_file_with_its_twin_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pin(tmp_path, USERUNKNOWN, {"kind": "failure", "records": [{"reason": "userunknown"}]})
    assert run([str(tmp_path / "case.eml")], capsys) == (0, "1 passed, 0 failed, 0 errors\n")


def test_a_malformed_expectation_is_one_error_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = pin(tmp_path, USERUNKNOWN, '{"records": [ {"reason": "hostunknown",} ]', name="a-bad")
    pin(tmp_path, USERUNKNOWN, {"records": [{"reason": "userunknown"}]}, name="b-good")
    code, out = run([str(tmp_path)], capsys)
    assert code == 2
    assert f"FAIL {tmp_path / 'a-bad.eml'}: {bad}: not valid JSON: Expecting property name" in out
    assert out.endswith("1 passed, 0 failed, 1 errors\n")


def test_differences_exit_1_and_errors_win(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pin(tmp_path, USERUNKNOWN, {"records": [{"reason": "mailboxfull"}]})
    code, out = run([str(tmp_path)], capsys)
    assert code == 1 and "record 0 (None) reason" not in out
    assert "record 0 reason: expected 'mailboxfull', got 'userunknown'" in out
    (tmp_path / "other.eml").write_bytes(b"")
    (tmp_path / "other.json").write_text("[]")
    code, out = run([str(tmp_path)], capsys)
    assert code == 2 and "expected a JSON object, found list" in out


def test_an_unreadable_message_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "case.json").write_text("{}")
    (tmp_path / "case.eml").mkdir()  # a message that cannot be read: a directory with a message's name
    (tmp_path / "ok.eml").write_bytes(USERUNKNOWN.read_bytes())
    (tmp_path / "ok.json").write_text('{"kind": "failure"}')
    code, out = run([str(tmp_path / "case.eml"), str(tmp_path / "ok.eml")], capsys)
    assert code == 2 and "1 passed" in out


def test_records_are_matched_by_recipient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the report lists full@ then gone@; the expectation the other way round is no difference
    pin(tmp_path, MULTI, {"records": [
        {"recipient": "gone@example.net", "reason": "userunknown"},
        {"recipient": "full@example.com", "reason": "mailboxfull"},
    ]})
    assert run([str(tmp_path)], capsys)[0] == 0
    pin(tmp_path, MULTI, {"records": [
        {"recipient": "gone@example.net", "reason": "mailboxfull"},
        {"recipient": "full@example.com", "reason": "mailboxfull"},
    ]})
    code, out = run([str(tmp_path)], capsys)
    assert code == 1
    assert out.count("expected") == 1
    assert "record 0 (gone@example.net) reason: expected 'mailboxfull', got 'userunknown'" in out


def test_update_keeps_the_pinned_keys_and_shows_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    js = pin(tmp_path, MULTI, {"kind": "failure", "records": [
        {"recipient": "gone@example.net", "status": "5.9.9"},
        {"recipient": "full@example.com", "status": "5.2.2"},
    ]})
    code, out = run(["--update", str(tmp_path)], capsys)
    assert code == 0 and f"updated {tmp_path / 'case.eml'}" in out
    assert '-      "status": "5.9.9"' in out and '+      "status": "5.1.1"' in out
    assert out.endswith("0 passed, 0 failed, 0 errors, 1 updated\n")
    written = json.loads(js.read_text())
    assert written == {"kind": "failure", "records": [
        {"recipient": "full@example.com", "status": "5.2.2"},
        {"recipient": "gone@example.net", "status": "5.1.1"},
    ]}
    before = js.read_text()
    code, out = run(["--update", str(tmp_path)], capsys)  # nothing changed: nothing rewritten
    assert code == 0 and "updated /" not in out and js.read_text() == before


def test_update_creates_a_missing_expectation_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(USERUNKNOWN, tmp_path / "new.eml")
    code, out = run(["--update", str(tmp_path)], capsys)
    assert code == 0 and "+++ " in out
    written = json.loads((tmp_path / "new.json").read_text())
    assert written["kind"] == "failure" and written["records"][0]["reason"] == "userunknown"
    assert "source" not in written["records"][0]
    assert run([str(tmp_path)], capsys)[0] == 0


def test_check_takes_the_shared_record_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pin(tmp_path, USERUNKNOWN, {"records": [{"headers": {"Subject": "March newsletter"}}]})
    assert run([str(tmp_path)], capsys)[0] == 1
    assert run(["--header", "subject", str(tmp_path)], capsys)[0] == 0
    for usage_error in (["--limit", "recipients=0"], ["--code-table", str(tmp_path / "nope.csv")]):
        with pytest.raises(SystemExit) as stop:
            run([*usage_error, str(tmp_path)], capsys)
        assert stop.value.code == 2
    pin(tmp_path, USERUNKNOWN, {"records": [{"flags": ["limit:message_bytes", "limit:header_bytes"],
                                             "reason": "userunknown", "status": "5.1.1"}]})
    assert run(["--limit", "message_bytes=1500", str(tmp_path)], capsys)[0] == 0
