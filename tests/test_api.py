"""The library API: inputs accepted, report and record contract, line endings, streams, pickling."""

from __future__ import annotations

import dataclasses
import email
import io
import pickle
from email.policy import compat32

import pytest

import dsnparse
from dsnparse import FIELDS, BounceRecord, InputError, Kind, parse, parse_bytes, parse_many

from .conftest import fixture_bytes

RAW = fixture_bytes("rfc3464/userunknown.eml")


def test_every_input_type_gives_the_same_records() -> None:
    expected = parse(RAW).records
    assert parse(RAW.decode("utf-8")).records == expected
    assert parse(io.BytesIO(RAW)).records == expected
    assert parse(email.message_from_bytes(RAW, policy=compat32)).records == expected


def test_wrong_input_type_is_a_typed_error() -> None:
    with pytest.raises(InputError):
        parse(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["rfc3464/userunknown.eml", "rfc3464/multi-recipient.eml", "rfc3464/delay.eml"])
def test_crlf_lf_and_bare_cr_give_identical_records(name: str) -> None:
    raw = fixture_bytes(name)
    lf = parse(raw).records
    assert parse(raw.replace(b"\n", b"\r\n")).records == lf
    assert parse(raw.replace(b"\n", b"\r")).records == lf


def test_record_contract() -> None:
    report = parse(RAW, source="inbox#1", original_headers=["X-Campaign-ID"])
    assert report.kind is Kind.FAILURE and report.is_bounce
    (rec,) = report.records
    d = rec.to_dict()
    assert tuple(d) == FIELDS
    assert d["source"] == "inbox#1"
    assert d["recipient"] == "nobody-here@example.com"
    assert d["message_id"] == "<newsletter-2026-03.42@example.org>"
    assert d["subject"] == "March newsletter"
    assert d["list_id"] == "Example News <news.example.org>"
    assert d["headers"] == {"X-Campaign-ID": "spring-2026"}
    assert d["sender"] == "news@example.org"
    assert report.original_headers["Message-Id"] == "<newsletter-2026-03.42@example.org>"
    assert BounceRecord.from_dict(d) == rec
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.recipient = "x@example.com"  # type: ignore[misc]


def test_original_message_addresses_are_never_failed_recipients() -> None:
    report = parse(fixture_bytes("rfc3464/multi-recipient.eml"))
    assert sorted(r.recipient or "" for r in report.records) == ["full@example.com", "gone@example.net"]
    assert all(r.recipient != "alerts@example.org" for r in report.records)


def test_a_bounce_without_recipient_still_gives_one_record() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        b"\nYour message could not be delivered: the mailbox is full.\n"
    )
    report = parse(raw)
    assert report.kind is Kind.FAILURE
    assert len(report.records) == 1 and report.records[0].recipient is None
    assert report.records[0].action == "failed"


def test_ordinary_mail_is_not_a_bounce() -> None:
    raw = b"From: alice@example.com\nTo: bob@example.net\nSubject: lunch?\n\nAre you free at noon?\n"
    report = parse(raw)
    assert report.kind is Kind.NOT_BOUNCE and report.records == ()


def test_parse_many_keeps_going_and_keeps_sources() -> None:
    reports = list(parse_many([("a", RAW), ("b", 42), ("c", RAW)]))  # type: ignore[list-item]
    assert [r.source for r in reports] == ["a", "b", "c"]
    assert reports[1].records[0].flags == ("unparsed",)
    assert reports[2].records[0].recipient == "nobody-here@example.com"


def test_parse_functions_are_picklable_for_worker_processes() -> None:
    for fn in (dsnparse.parse, dsnparse.parse_many, dsnparse.parse_bytes):
        assert pickle.loads(pickle.dumps(fn)) is fn
    assert parse_bytes(RAW, "s")[0]["recipient"] == "nobody-here@example.com"


def test_non_failure_kinds_have_no_bounce_type() -> None:
    report = parse(fixture_bytes("rfc3464/delay.eml"))
    assert report.kind is Kind.DELAY
    assert all(r.bounce_type is None and r.action == "delayed" for r in report.records)


@pytest.mark.parametrize("name", ["rfc3464/userunknown.eml", "rfc3464/multi-recipient.eml"])
def test_undeclared_8bit_headers_of_the_returned_message_are_decoded(name: str) -> None:
    # text/rfc822-headers and message/rfc822 (where compat32 hands out a Header of U+FFFD)
    raw = fixture_bytes(name)
    raw = raw.replace(b"Subject: March newsletter", "Subject: Nouveautés".encode())
    raw = raw.replace(b"Subject: Your weekly report", "Subject: Nouveautés".encode())
    report = parse(raw)
    assert report.records[0].subject == "Nouveautés"
    assert parse(raw.replace(b"\n", b"\r\n")).records == report.records
