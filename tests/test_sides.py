"""Sides, the catalogue of documented refusals and the quoted sending identity: the packaged
tables are whole and consistent, records carry them through every format and the store, and a
sender- or content-side failure never suppresses its recipient."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from dsnparse import BounceRecord, Kind, Report
from dsnparse.classify import blocks, providers, reasons, sides
from dsnparse.classify.identity import sender_identity
from dsnparse.cli import main
from dsnparse.io.store import PARSED, Entry, MessageKey, Store
from dsnparse.record import FIELDS
from dsnparse.suppression import Event, Policy, decide, skipped

from .conftest import FIXTURES


def test_every_reason_has_exactly_one_side_with_a_definition() -> None:
    table = sides.table()
    assert set(table.by_reason) == set(reasons.tables().reasons)
    assert set(table.definitions) == set(sides.SIDES)
    assert all(table.why[name] for name in table.by_reason)
    assert sides.side_of("userunknown") == "recipient"
    assert sides.side_of("blocked") == "sender"
    assert sides.side_of("spamdetected") == "content"
    assert sides.side_of("no such reason") == "unknown"


def test_catalogue_rows_are_unique_sourced_and_name_known_providers_and_reasons() -> None:
    rows = blocks.catalogue().rows
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids))
    known_providers = {p.name for p in providers.table()}
    for row in rows:
        assert row.reason in reasons.tables().reasons, row.id
        assert row.side in sides.NEVER_SUPPRESSED, row.id  # every catalogued refusal is about the sender
        assert row.provider is None or row.provider in known_providers, row.id
        assert row.source and row.cause, row.id
        assert row.help_url is None or row.help_url.startswith("https://"), row.id


@pytest.mark.parametrize(("status", "text", "provider", "expected"), [
    ("5.7.1", "Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org", None, "spamhaus-zen"),
    ("5.7.1", "blocked using sbl.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1", None, "spamhaus-sbl"),
    ("5.7.1", "Unfortunately, messages from [192.0.2.10] weren't sent. (S3150)", None, "microsoft-s3150"),
    ("4.7.0", "[TSS04] Messages from 192.0.2.10 temporarily deferred", "yahoo", "yahoo-tss04"),
    ("5.7.26", "This message does not have authentication information", "google", "gmail-5.7.26"),
    ("5.7.26", "This message does not have authentication information", "microsoft", None),  # scoped to Gmail
    ("5.1.1", "The email account that you tried to reach does not exist", "google", None),
    (None, None, None, None),
])
def test_find(status: str | None, text: str | None, provider: str | None, expected: str | None) -> None:
    row = blocks.find(status, text, provider)
    assert (row.id if row else None) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Client host [192.0.2.10] blocked using zen.spamhaus.org (127.0.0.2)", "192.0.2.10"),
    ("host mx.example.net[203.0.113.5] said: 554 Messages from 198.51.100.7 deferred", "198.51.100.7"),
    ("connection from [IPv6:2001:db8::25] refused", "2001:db8::25"),
    ("host mx.example.jp [198.51.100.225]: 501 5.1.8 Sender address rejected", None),
    ("554 5.7.1 <out-1.example.org[192.0.2.127]>: Client host rejected: blocked using bl.example.net",
     "192.0.2.127"),
    ("550 5.7.515 Access denied, sending domain Example.ORG does not meet the required level", "example.org"),
    ("rejected due to example.net's DMARC policy", "example.net"),
    ("550 5.7.1 at 09:14:00, status 5.7.1 version 1.2.3", None),
    ("", None),
])
def test_sender_identity(text: str, expected: str | None) -> None:
    assert sender_identity(text) == expected


def test_new_fields_follow_suppress_in_contract_order() -> None:
    at = FIELDS.index("suppress")
    assert FIELDS[at + 1: at + 6] == ("side", "provider", "blocked_by", "sender_identity", "help_url")


def test_side_and_block_in_every_output_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "providers" / "microsoft-banned-ip.eml")
    assert main([path]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (record["side"], record["provider"], record["blocked_by"]) == ("sender", "microsoft", "microsoft-5.7.6xx")
    assert record["help_url"] == "https://sender.office.com/" and record["suppress"] is False
    assert main(["--format", "csv", path]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (row["side"], row["blocked_by"], row["sender_identity"]) == ("sender", "microsoft-5.7.6xx",
                                                                        record["sender_identity"])
    assert main(["--format", "table", path]) == 0
    header, line = capsys.readouterr().out.splitlines()
    assert "SIDE" in header and "BLOCKED_BY" in header and "microsoft-5.7.6xx" in line


def test_an_older_store_gains_the_new_columns(tmp_path: Path) -> None:
    db = str(tmp_path / "old.sqlite")
    with Store(db):
        pass
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE records DROP COLUMN side")  # as written before the field existed
    con.execute("ALTER TABLE records DROP COLUMN blocked_by")
    con.close()
    with Store(db) as store:
        record = BounceRecord(recipient="a@example.com", action="failed", reason="blocked", side="sender",
                              blocked_by="spamcop")
        store.add([Entry(MessageKey("m", 1, 1), PARSED, report=Report(kind=Kind.FAILURE, records=(record,)),
                         digest="d1")])
        assert [r for _, r in store.records()] == [record]


def _event(at: str, side: str, bounce_type: str = "soft", suppress: bool = False) -> Event:
    return Event("a@example.com", "failure", "failed", bounce_type, suppress, "blocked", "4.7.1", "s", at, side)


def test_sender_side_failures_never_suppress_and_are_reported_as_skipped() -> None:
    events = [_event(f"2026-01-0{d}T00:00:00Z", "sender") for d in range(1, 6)]
    assert decide(events, Policy(soft_count=1)) is None
    left_out = skipped(events)
    assert left_out is not None and (left_out.count, left_out.last_side) == (5, "sender")
    # the recipient's own soft failures still count, the sender's do not
    mixed = [*events[:3], _event("2026-01-09T00:00:00Z", "recipient")]
    decided = decide(mixed, Policy(soft_count=2))
    assert decided is None
    assert decide([*mixed, _event("2026-01-10T00:00:00Z", "recipient")], Policy(soft_count=2)) is not None
    assert skipped([_event("2026-01-09T00:00:00Z", "recipient")]) is None


def test_suppressions_skip_sender_side_recipients_and_say_so(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.sqlite")
    folder = FIXTURES / "sender-side"
    assert main(["ingest", "--db", db, str(folder)]) == 0
    with Store(db) as store:
        failed = {r.recipient for kind, r in store.records() if kind == "failure" and r.action == "failed"}
    assert len(failed) >= 30
    capsys.readouterr()
    assert main(["suppressions", "--db", db, "--soft-count", "1"]) == 0
    out, err = capsys.readouterr()
    assert list(csv.DictReader(io.StringIO(out))) == []  # one soft failure would do, but none counts
    assert f"skipped {len(failed)} sender- or content-side failures of {len(failed)} addresses" in err
    assert main(["suppressions", "--db", db, "--skipped", "--format", "jsonl"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {d["address"] for d in listed} == failed
    assert {d["last_side"] for d in listed} == {"sender", "content"}


def test_every_catalogue_row_has_its_own_fixture() -> None:
    pinned: dict[str, str] = {}
    for path in sorted((FIXTURES / "sender-side").glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
            assert {"side", "blocked_by", "sender_identity", "reason", "suppress"} <= set(record), path.name
            pinned.setdefault(record["blocked_by"], path.name)
    assert set(pinned) == {row.id for row in blocks.catalogue().rows}
