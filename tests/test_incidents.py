"""Incidents: the synthetic mailbox's two incidents, exactly, from records, files and the store;
how quiet time, acceptance, ``since`` and ``now`` shape them; content-side grouping."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dsnparse
from dsnparse import BounceRecord
from dsnparse.cli import main
from dsnparse.incidents import incidents

from . import synthetic_incidents
from .synthetic_incidents import S3150, TSS04

EXPECTED = [
    {
        "provider": "microsoft", "side": "sender", "cause": "microsoft-s3150", "identity": "192.0.2.10",
        "first_seen": "2026-12-01T09:14:00Z", "last_seen": "2026-12-01T14:59:00Z",
        "ended": "2026-12-01T16:00:00Z", "end": "accepted", "messages": 24, "recipients": 27,
        "reply": S3150, "help_url": "https://sender.office.com/",
        "advice": "Outlook.com refused mail from 192.0.2.10 (S3150: IP on Microsoft's block list) from "
                  "2026-12-01 09:14 to 2026-12-01 14:59, 27 recipients; mail accepted again at 2026-12-01 16:00",
    },
    {
        "provider": "yahoo", "side": "sender", "cause": "yahoo-tss04", "identity": "198.51.100.7",
        "first_seen": "2026-12-02T08:00:00Z", "last_seen": "2026-12-02T11:30:00Z",
        "ended": "2026-12-02T11:30:00Z", "end": "quiet", "messages": 8, "recipients": 8,
        "reply": TSS04, "help_url": "https://senders.yahooinc.com/smtp-error-codes/",
        "advice": "Yahoo refused mail from 198.51.100.7 (TSS04: mail from the sending IP deferred for unexpected "
                  "volume or user complaints) from 2026-12-02 08:00 to 2026-12-02 11:30, 8 recipients; "
                  "the failures stopped",
    },
]


def _records() -> Iterator[BounceRecord]:
    for serial, (_when, text) in enumerate(synthetic_incidents.messages()):
        yield from dsnparse.parse(text.encode(), source=f"syn#{serial}").records


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("syn") / "bounces.mbox"
    path.write_text(synthetic_incidents.mbox(), encoding="utf-8")
    return path


def test_the_two_incidents_from_a_stream_of_records() -> None:
    assert [i.to_dict() for i in incidents(_records())] == EXPECTED


def test_the_command_on_the_mailbox_and_on_the_store(mailbox: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incidents", "--format", "json", str(mailbox)]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED
    db = str(tmp_path / "b.sqlite")
    assert main(["ingest", "--db", db, str(mailbox)]) == 0
    capsys.readouterr()
    assert main(["incidents", "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED
    assert main(["incidents", "--db", db, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["cause"], r["recipients"], r["end"]) for r in rows] == [("microsoft-s3150", "27", "accepted"),
                                                                       ("yahoo-tss04", "8", "quiet")]
    assert main(["incidents", "--db", db, "--since", "2026-12-02"]) == 0
    table = capsys.readouterr().out
    assert "yahoo-tss04" in table and "microsoft-s3150" not in table
    assert f"- {EXPECTED[1]['advice']}" in table


def test_a_short_quiet_time_splits_an_incident_and_now_keeps_one_open() -> None:
    records = list(_records())
    split = [i for i in incidents(records, quiet=timedelta(minutes=20)) if i.cause == "yahoo-tss04"]
    assert [(i.first_seen, i.recipients, i.end) for i in split] == [
        (f"2026-12-02T{8 + k // 2:02d}:{30 * (k % 2):02d}:00Z", 1, "quiet") for k in range(8)]
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    (ongoing,) = [i for i in incidents(r for r in records if (r.date or "") <= "2026-12-02T12") if i.end == "ongoing"]
    assert (ongoing.cause, ongoing.ended) == ("yahoo-tss04", None)
    assert ongoing.advice.startswith("Yahoo refuses mail from 198.51.100.7 (TSS04:")
    assert ongoing.advice.endswith("since 2026-12-02 08:00, 8 recipients; see https://senders.yahooinc.com/smtp-error-codes/")
    later = incidents(records, now=now + timedelta(days=1))
    assert {i.end for i in later} == {"accepted", "quiet"}


def test_content_failures_group_apart_and_recipient_failures_make_none() -> None:
    def failure(at: str, rcpt: str, side: str, reason: str, blocked_by: str | None = None) -> BounceRecord:
        return BounceRecord(source=at, recipient=rcpt, action="failed", date=at, reason=reason, side=side,
                            provider="google", blocked_by=blocked_by)
    records = [
        failure("2026-12-01T10:00:00Z", "a@example.com", "content", "spamdetected", "gmail-unsolicited"),
        failure("2026-12-01T10:05:00Z", "b@example.com", "recipient", "userunknown"),
        failure("2026-12-01T10:10:00Z", "c@example.com", "content", "spamdetected", "gmail-unsolicited"),
        failure("2026-12-01T10:20:00Z", "d@example.com", "sender", "authfailure", "gmail-5.7.26"),
        BounceRecord(recipient="e@example.com", action="failed", date=None, side="sender", provider="google"),
    ]
    found = incidents(records)
    assert [(i.side, i.cause, i.recipients, i.messages) for i in found] == [
        ("content", "gmail-unsolicited", 2, 2), ("sender", "gmail-5.7.26", 1, 1)]
    assert found[0].advice.startswith("Gmail refuses the content of your mail (Gmail judged the message")
    with pytest.raises(ValueError):
        incidents(records, quiet=timedelta(0))


def test_the_store_timeline_dates_an_undated_record_by_its_arrival(tmp_path: Path) -> None:
    from dsnparse import Kind, Report
    from dsnparse.io.store import PARSED, Entry, MessageKey, Store

    blocked = BounceRecord(recipient="a@example.com", action="failed", reason="blocked", side="sender",
                           provider="microsoft", blocked_by="microsoft-s3150")
    ordinary = BounceRecord(recipient="b@example.com", action="failed", reason="userunknown", side="recipient",
                            date="2026-12-09T00:00:00Z")
    with Store(str(tmp_path / "t.sqlite")) as store:
        store.add([Entry(MessageKey("m", 1, 1), PARSED, report=Report(kind=Kind.FAILURE, records=(blocked,)),
                         digest="d1", received="2026-12-08T10:00:00Z"),
                   Entry(MessageKey("m", 1, 2), PARSED, report=Report(kind=Kind.FAILURE, records=(ordinary,)),
                         digest="d2", received="2026-12-09T00:00:00Z")])
        (timed,) = store.timeline()
        assert timed.date == "2026-12-08T10:00:00Z" and timed.blocked_by == "microsoft-s3150"
        assert list(store.timeline("2026-12-08T11:00:00Z")) == []
        assert store.latest() == "2026-12-09T00:00:00Z"
