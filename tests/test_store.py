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
    # keyed on the address the sender has on its list: the original recipient when there is one
    soft = {(r.original_recipient or r.recipient or "").lower() for r in records
            if r.bounce_type == "soft" and r.action == "failed"}
    hard = {(r.original_recipient or r.recipient or "").lower() for r in records if r.suppress}
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

    monkeypatch.setattr("dsnparse.cli.mailbox.parse", parse)
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


# -- ingest counts, re-reading stored messages, migration ----------------------------------------


def _err_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_ingest_reports_new_already_stored_and_duplicates_apart(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("userunknown.eml", "multi-recipient.eml"):
        (inputs / name).write_bytes(fixture_bytes(f"rfc3464/{name}"))
    assert main(["ingest", "--db", db, str(inputs)]) == 0
    first = _err_lines(capsys)
    assert "dsnparse: messages: 2 (2 new, 0 already stored, 0 duplicates), 0 failed" in first
    assert "dsnparse: messages by kind: failure 2" in first  # messages ...
    assert "dsnparse: records: 3 (by bounce type: hard 2, soft 1)" in first  # ... and records, apart
    (inputs / "copy-of-userunknown.eml").write_bytes(fixture_bytes("rfc3464/userunknown.eml"))
    assert main(["ingest", "--db", db, str(inputs)]) == 0
    again = _err_lines(capsys)
    assert "dsnparse: messages: 3 (0 new, 2 already stored, 1 duplicates), 0 failed" in again
    assert "dsnparse: records: 0" in again
    with Store(db) as store:
        assert store.count() == 3
        assert [m["status"] for m in store.messages()] == [PARSED, PARSED, DUPLICATE]


def test_each_message_is_kept_compressed_and_can_be_read_back(tmp_path: Path) -> None:
    db = str(tmp_path / "b.sqlite")
    path = FIXTURES / "rfc3464" / "multi-recipient.eml"
    assert main(["ingest", "--db", db, str(path)]) == 0
    with Store(db) as store:
        (message,) = store.messages()
        assert store.raw(message["source"]) == path.read_bytes()
        assert 0 < message["kept"] < message["size"]


def _suppressed(store: Store) -> set[str]:
    return {s.address for s in store.suppressions()}


def test_reparse_applies_a_new_code_table_reports_what_changed_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "b.sqlite")
    suspended = FIXTURES / "classify-evidence" / "status-comment.eml"  # suspend, 5.2.1 soft by default
    assert main(["ingest", "--db", db, str(suspended), str(FIXTURES / "rfc3464")]) == 0
    with Store(db) as store:
        before = [r for _, r in store.records()]
        assert "dormant@example.net" not in _suppressed(store)
    codes = tmp_path / "codes.csv"
    codes.write_text("5.2.1,hard,Mailbox disabled: dead to us\n")
    capsys.readouterr()
    assert main(["reparse", "--db", db]) == 0  # the same options: nothing changes
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 changed; suppression list: 0 added, 0 removed" in err
    assert main(["reparse", "--db", db, "--code-table", str(codes)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{suspended}\tdormant@example.net\tsuspend/soft/keep -> suspend/hard/suppress",
        "suppressed\tdormant@example.net",
    ]
    assert "1 changed; suppression list: 1 added, 0 removed" in err
    with Store(db) as store:
        after = [r for _, r in store.records()]
        assert len(after) == len(before)
        assert "dormant@example.net" in _suppressed(store)
        assert all(m["status"] == PARSED for m in store.messages())
    assert main(["reparse", "--db", db, "--code-table", str(codes)]) == 0  # again: idempotent
    out, err = capsys.readouterr()
    assert out == "" and "0 changed" in err


def test_reparse_keeps_the_headers_asked_at_ingest_unless_told_otherwise(tmp_path: Path) -> None:
    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, "--header", "Subject", str(FIXTURES / "rfc3464" / "userunknown.eml")]) == 0
    assert main(["reparse", "--db", db]) == 0
    with Store(db) as store:
        assert [r.headers for _, r in store.records()] == [{"Subject": "March newsletter"}]
    assert main(["reparse", "--db", db, "--header", "Message-ID"]) == 0
    with Store(db) as store:
        (record,) = (r for _, r in store.records())
        assert [k.lower() for k in record.headers] == ["message-id"]


def test_reparse_reads_a_message_that_failed_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    def broken(raw: bytes, **kwargs: object) -> Report:
        raise dsnparse.ParseError("an older dsnparse could not read this")

    db = str(tmp_path / "b.sqlite")
    with monkeypatch.context() as patched:
        patched.setattr("dsnparse.cli.mailbox.parse", broken)
        assert main(["ingest", "--db", db, str(FIXTURES / "rfc3464" / "userunknown.eml")]) == 1
    with Store(db) as store:
        assert store.count() == 0
        done = store.reparse()
        assert (done.messages, done.recovered, done.failed, done.records) == (1, 1, 0, 1)
        assert [c.after for c in done.changes] == [("userunknown", "hard", True)]
        assert done.suppressed == ["nobody-here@example.com"]
        assert [m["status"] for m in store.messages()] == [PARSED]


_OLD_SCHEMA = f"""
CREATE TABLE messages (id INTEGER PRIMARY KEY, source TEXT NOT NULL, mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL, digest TEXT, status TEXT NOT NULL, kind TEXT,
    error TEXT, size INTEGER, received TEXT NOT NULL, UNIQUE (mailbox, uidvalidity, uid));
CREATE TABLE records (id INTEGER PRIMARY KEY, message INTEGER NOT NULL REFERENCES messages (id),
    mailbox TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL, recipient_key TEXT NOT NULL,
    kind TEXT NOT NULL, received TEXT NOT NULL,
    {", ".join(f'"{f}"' for f in dsnparse.FIELDS if f not in ("kind", "source_ip"))},
    UNIQUE (mailbox, uidvalidity, uid, recipient_key));
CREATE TABLE checkpoints (mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,
    updated TEXT NOT NULL);
"""
"""A store as the first version wrote it: no kept messages, no allow-list, a record column missing."""


def test_a_store_from_an_earlier_version_is_migrated_by_added_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(_OLD_SCHEMA)
    db.execute("INSERT INTO messages (source, mailbox, uidvalidity, uid, status, kind, received) "
               "VALUES ('old.eml', 'old.eml', 0, 0, 'parsed', 'failure', '2026-01-02T00:00:00Z')")
    db.execute("INSERT INTO records (message, mailbox, uidvalidity, uid, recipient_key, kind, received, recipient, "
               "action, reason, bounce_type, suppress, headers, flags) VALUES (1, 'old.eml', 0, 0, 'old@example.com', "
               "'failure', '2026-01-02T00:00:00Z', 'old@example.com', 'failed', 'userunknown', 'hard', 1, '{}', '[]')")
    db.commit()
    db.close()
    with Store(str(path)) as store:
        assert [r.recipient for _, r in store.records()] == ["old@example.com"]
        assert _suppressed(store) == {"old@example.com"}
        done = store.reparse()
        assert (done.messages, done.unavailable, done.changes) == (0, 1, [])
        store.add([_entry(1)])  # new messages are stored with their bytes
        assert store.count("messages") == 2


# -- the suppression list: list address, un-suppress, allow-list, since ----------------------------


def test_suppressions_key_on_the_original_recipient_and_show_both(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.add([_entry(1)])  # gone@example.net, Original-Recipient Gone+old@example.net
    (entry,) = [s for s in store.suppressions() if s.recipient == "gone@example.net"]
    assert entry.address == "gone+old@example.net"
    assert entry.to_dict()["recipient"] == "gone@example.net"


def test_remove_unsuppresses_with_a_reason_until_a_new_bounce(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    with Store(db) as store:
        _add_reports(store, _failure("a@example.com", "2026-01-01T00:00:00Z", bounce_type="hard", suppress=True,
                                     reason="userunknown"))
    with pytest.raises(SystemExit) as refused:  # no reason: a usage error
        main(["suppressions", "--db", db, "--remove", "A@example.com"])
    assert refused.value.code == 2
    capsys.readouterr()
    reason = "ticket 42: mailbox restored"
    assert main(["suppressions", "--db", db, "--remove", "a@example.com", "--reason", reason]) == 0
    assert "removed a@example.com (hard since 2026-01-01T00:00:00Z)" in capsys.readouterr().err
    assert main(["suppressions", "--db", db, "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["suppressions", "--db", db, "--remove", "a@example.com", "--reason", "again"]) == 1
    assert "not suppressed" in capsys.readouterr().err
    assert main(["suppressions", "--db", db, "--list-removed", "--format", "jsonl"]) == 0
    (removal,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert removal["reason"] == "ticket 42: mailbox restored" and removal["cause"] == "hard"
    with Store(db) as store:
        late = utc_now_plus(days=1)
        store.add([Entry(MessageKey("policy", 1, 99), PARSED, digest="late",
                         report=_failure("a@example.com", late, bounce_type="hard", suppress=True,
                                         reason="userunknown"))])
        (back,) = store.suppressions()
        assert (back.address, back.since, back.count) == ("a@example.com", late, 1)  # only the new bounce counts


def utc_now_plus(*, days: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_allow_list_is_respected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    with Store(db) as store:
        _add_reports(store, *(_failure(a, "2026-01-01T00:00:00Z", bounce_type="hard", suppress=True,
                                       reason="userunknown") for a in ("ceo@example.com", "x@example.com")))
    assert main(["suppressions", "--db", db, "--allow", "CEO@example.com", "--reason", "our own seed address"]) == 0
    assert main(["suppressions", "--db", db, "--format", "jsonl"]) == 0
    assert [json.loads(line)["address"] for line in capsys.readouterr().out.splitlines()] == ["x@example.com"]
    assert main(["suppressions", "--db", db, "--list-allowed"]) == 0
    assert "ceo@example.com,our own seed address," in capsys.readouterr().out
    assert main(["suppressions", "--db", db, "--disallow", "ceo@example.com"]) == 0
    with Store(db) as store:
        assert _suppressed(store) == {"ceo@example.com", "x@example.com"}
    # the decision itself: pure, the policy's allow-list
    assert Store(db).suppressions(Policy(allow=frozenset({"x@example.com"})))[0].address == "ceo@example.com"


def test_since_exports_only_what_is_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    with Store(db) as store:
        _add_reports(store,
                     _failure("old@example.com", "2026-01-05T10:00:00Z", bounce_type="hard", suppress=True,
                              reason="userunknown"),
                     _failure("new@example.com", "2026-02-05T10:00:00Z", bounce_type="hard", suppress=True,
                              reason="userunknown"))
    assert main(["suppressions", "--db", db, "--since", "2026-02-01", "--format", "jsonl"]) == 0
    assert [json.loads(line)["address"] for line in capsys.readouterr().out.splitlines()] == ["new@example.com"]
    with pytest.raises(SystemExit) as refused:
        main(["suppressions", "--db", db, "--since", "last tuesday"])
    assert refused.value.code == 2


# -- the Python API: record filters ------------------------------------------------------------


def test_records_filter_by_time_kind_reason_domain_header_and_suppress(tmp_path: Path) -> None:
    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, "--header", "Subject", str(FIXTURES / "rfc3464"),
                 str(FIXTURES / "lookalikes" / "arf-complaint.eml")]) == 0
    with Store(db) as store:
        everything = [r for _, r in store.records()]

        def recipients(**filters: object) -> set[str | None]:
            return {r.recipient for _, r in store.records(**filters)}  # type: ignore[arg-type]

        assert recipients(domain="EXAMPLE.net") == {r.recipient for r in everything
                                                    if (r.recipient or "").endswith("@example.net")}
        assert recipients(reason="mailboxfull") == {"full@example.com"}
        assert recipients(kind=Kind.DELAY) == {"slow@example.com"}
        assert {k for k, _ in store.records(kind="complaint")} == {"complaint"}
        assert recipients(header=("subject", "March newsletter")) == {"nobody-here@example.com"}
        assert recipients(since="2026-03-11T00:00:00Z", until="2026-03-12") == {"full@example.com",
                                                                             "gone@example.net"}
        assert recipients(suppress=True, domain="example.com") == {"nobody-here@example.com", "ユーザー@example.com"}
        assert list(store.records(reason="no-such-reason")) == []
