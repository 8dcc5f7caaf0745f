"""The SQLite store: exactly-once records, checkpoints, atomic batches, the suppression policy,
and the ``ingest`` / ``suppressions`` commands."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

import dsnparse
from dsnparse import BounceRecord, Kind, Report
from dsnparse.cli import main
from dsnparse.io.store import DUPLICATE, FAILED, PARSED, Checkpoint, Entry, MessageKey, Store, digest
from dsnparse.suppression import Policy

from .conftest import FIXTURES, fixture_bytes


def _store(tmp_path: Path) -> Store:
    return Store(str(tmp_path / "bounces.sqlite"))


def _entry(uid: int, relative: str = "rfc3464/multi-recipient.eml", mailbox: str = "u@example.net/INBOX") -> Entry:
    raw = fixture_bytes(relative)
    key = MessageKey(mailbox, 7, uid)
    return Entry(key, PARSED, report=dsnparse.parse(raw, source=key.source), digest=f"digest-{relative}-{uid}")


def _failure(rcpt: str, date: str, *, bounce_type: str = "soft", suppress: bool = False,
             action: str = "failed", reason: str = "mailboxfull", kind: Kind = Kind.FAILURE) -> Report:
    record = BounceRecord(recipient=rcpt, action=action, date=date, bounce_type=bounce_type, suppress=suppress,
                          reason=reason, status="4.2.2" if bounce_type == "soft" else "5.1.1")
    return Report(kind=kind, records=(record,))


def _add_reports(store: Store, *reports: Report) -> None:
    for i, report in enumerate(reports):
        store.add([Entry(MessageKey("policy", 1, i + 1), PARSED, report=report, digest=f"p{i}")])


def test_records_are_stored_once_and_read_back_unchanged(tmp_path: Path) -> None:
    store = _store(tmp_path)
    entry = _entry(1)
    assert entry.report is not None and len(entry.report.records) >= 2
    assert store.add([entry]) == [PARSED]
    assert store.add([entry]) == [PARSED]  # a re-run: the key is known, nothing is added
    stored = list(store.records())
    assert [r for _, r in stored] == list(entry.report.records)
    assert {k for k, _ in stored} == {"failure"}
    assert store.count("messages") == 1


def test_the_same_bytes_under_another_key_are_a_duplicate(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = _entry(1)
    again = Entry(MessageKey("u@example.net/INBOX", 8, 1), PARSED, report=first.report, digest=first.digest)
    assert store.add([first, again]) == [PARSED, DUPLICATE]
    assert store.count() == len(first.report.records if first.report else ())
    assert [m["status"] for m in store.messages()] == [PARSED, DUPLICATE]


def test_known_uids_and_checkpoints(tmp_path: Path) -> None:
    store = _store(tmp_path)
    failed = Entry(MessageKey("u@example.net/INBOX", 7, 3), FAILED, digest="x", error="ParseError: too deep")
    store.add([_entry(1), failed], Checkpoint("u@example.net/INBOX", 7, 3))
    assert store.known("u@example.net/INBOX", 7, [1, 2, 3]) == {1: PARSED, 3: FAILED}
    assert store.known("u@example.net/INBOX", 8, [1, 2, 3]) == {}
    assert store.checkpoint("u@example.net/INBOX") == Checkpoint("u@example.net/INBOX", 7, 3)
    store.add([], Checkpoint("u@example.net/INBOX", 9, 1))
    assert store.checkpoint("u@example.net/INBOX") == Checkpoint("u@example.net/INBOX", 9, 1)
    assert store.checkpoint("other") is None


def test_a_batch_is_all_or_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    broken = Entry(MessageKey(None, 7, 2), PARSED, report=_entry(2).report)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.add([_entry(1), broken], Checkpoint("u@example.net/INBOX", 7, 2))
    assert store.count() == 0
    assert store.count("messages") == 0
    assert store.checkpoint("u@example.net/INBOX") is None


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    _store(tmp_path).close()
    with sqlite3.connect(tmp_path / "bounces.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_hard_bounce_that_says_suppress_suppresses_at_once(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add_reports(store, _failure("dead@example.com", "2026-01-05T10:00:00Z", bounce_type="hard", suppress=True,
                                 reason="userunknown"))
    (entry,) = store.suppressions()
    assert (entry.address, entry.cause, entry.count, entry.last_reason) == ("dead@example.com", "hard", 1,
                                                                              "userunknown")
    assert entry.since == entry.first_bounce == entry.last_bounce == "2026-01-05T10:00:00Z"


def test_hard_bounce_without_suppress_and_delays_do_not_suppress(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add_reports(
        store,
        _failure("blocked@example.com", "2026-01-05T10:00:00Z", bounce_type="hard", reason="blocked"),
        *(_failure("slow@example.com", f"2026-01-0{d}T10:00:00Z", action="delayed") for d in range(1, 6)),
    )
    assert store.suppressions() == []


def test_soft_bounces_suppress_after_n_within_d_days(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add_reports(
        store,
        # three within 30 days: suppressed at the third
        _failure("full@example.com", "2026-01-01T00:00:00Z"),
        _failure("full@example.com", "2026-01-20T00:00:00Z"),
        _failure("full@example.com", "2026-01-30T00:00:00Z", reason="exceedlimit"),
        # three, but never three within 30 days
        _failure("rare@example.com", "2026-01-01T00:00:00Z"),
        _failure("rare@example.com", "2026-02-15T00:00:00Z"),
        _failure("rare@example.com", "2026-04-01T00:00:00Z"),
        # only two
        _failure("twice@example.com", "2026-01-01T00:00:00Z"),
        _failure("twice@example.com", "2026-01-02T00:00:00Z"),
    )
    (entry,) = store.suppressions()
    assert entry.address == "full@example.com"
    assert entry.cause == "soft"
    assert (entry.first_bounce, entry.since, entry.count, entry.last_reason) == (
        "2026-01-01T00:00:00Z", "2026-01-30T00:00:00Z", 3, "exceedlimit")
    loose = {e.address for e in store.suppressions(Policy(soft_count=2, soft_days=50))}
    assert loose == {"full@example.com", "rare@example.com", "twice@example.com"}


def test_complaints_suppress(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _add_reports(store, _failure("angry@example.org", "2026-02-01T00:00:00Z", bounce_type="", action="",
                                 reason="feedback", kind=Kind.COMPLAINT))
    (entry,) = store.suppressions()
    assert (entry.address, entry.cause) == ("angry@example.org", "complaint")


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Policy(soft_count=0)


def test_ingest_then_suppressions_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, str(FIXTURES / "rfc3464")]) == 0
    with Store(db) as store:
        first = store.count()
        assert first >= 4
        records = [r for _, r in store.records()]
    assert main(["ingest", "--db", db, str(FIXTURES / "rfc3464")]) == 0  # again: nothing new
    with Store(db) as store:
        assert store.count() == first
    capsys.readouterr()
    # with one soft failure enough, every failed recipient of the fixtures is on the list
    assert main(["suppressions", "--db", db, "--soft-count", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_address = {r["address"]: r for r in rows}
    soft = {r.recipient for r in records if r.bounce_type == "soft" and r.action == "failed"}
    hard = {r.recipient for r in records if r.suppress}
    assert soft and soft | hard <= set(by_address)
    assert all(by_address[a]["cause"] == "soft" for a in soft - hard)
    assert "slow@example.com" not in by_address  # a delay is not a failure
    assert main(["suppressions", "--db", db, "--format", "jsonl", "--soft-count", "1"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {d["address"] for d in lines} == set(by_address)


def test_ingest_parks_an_unparseable_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(raw: bytes, **kwargs: object) -> Report:
        raise dsnparse.ParseError("MIME structure nested too deeply for the parser")

    monkeypatch.setattr("dsnparse.io.parallel.parse", parse)
    bad = tmp_path / "deep.eml"
    bad.write_bytes(b"Subject: x\n\nhi\n")
    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, str(bad)]) == 1
    assert "nested too deeply" in capsys.readouterr().err
    with Store(db) as store:
        (message,) = store.messages()
        assert message["status"] == FAILED and "ParseError" in message["error"]
        assert store.count() == 0


def test_ingest_from_stdin_keys_messages_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "b.sqlite")
    for name in ("userunknown.eml", "delay.eml", "userunknown.eml"):
        stream = io.TextIOWrapper(io.BufferedReader(io.BytesIO(fixture_bytes(f"rfc3464/{name}"))))
        monkeypatch.setattr("sys.stdin", stream)
        assert main(["ingest", "--db", db, "-"]) == 0
    with Store(db) as store:
        assert store.count("messages") == 2  # two different messages, the third a re-read of the first


def test_digest_ignores_line_endings_only() -> None:
    assert digest(b"Subject: a\r\n\r\nbody\r\n") == digest(b"Subject: a\n\nbody\n") == digest(b"Subject: a\r\rbody\r")
    assert digest(b"Subject: a\n\nbody\n") != digest(b"Subject: b\n\nbody\n")


def test_a_file_that_is_not_a_store_is_refused_cleanly(tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database\n" * 100)
    with pytest.raises(SystemExit, match="not a usable SQLite store"):
        main(["suppressions", "--db", str(not_db)])
