"""Look-alikes: delays, positive DSNs, auto-replies, receipts, complaints and forwarded or quoted
bounces each get their kind and reason, and none of them a bounce type or suppression advice."""

from __future__ import annotations

import pytest

from dsnparse import Kind, Report, parse

from .conftest import fixture_bytes


def report(name: str) -> Report:
    return parse(fixture_bytes(f"lookalikes/{name}.eml"))


def assert_no_advice(rep: Report) -> None:
    for rec in rep.records:
        assert rec.bounce_type is None
        assert rec.suppress is False


@pytest.mark.parametrize(
    ("name", "kind", "reason"),
    [
        ("delay-mailboxfull", Kind.DELAY, "mailboxfull"),
        ("delivered", Kind.DELIVERED, "delivered"),
        ("relayed", Kind.DELIVERED, "delivered"),
        ("vacation-rfc3834", Kind.AUTOREPLY, "vacation"),
        ("vacation-de", Kind.AUTOREPLY, "vacation"),
        ("vacation-fr", Kind.AUTOREPLY, "vacation"),
        ("vacation-es", Kind.AUTOREPLY, "vacation"),
        ("vacation-ja", Kind.AUTOREPLY, "vacation"),
        ("vacation-apple", Kind.AUTOREPLY, "vacation"),
        ("challenge-response", Kind.AUTOREPLY, "vacation"),
        ("read-receipt", Kind.RECEIPT, "delivered"),
        ("arf-complaint", Kind.COMPLAINT, "feedback"),
    ],
)
def test_kind_and_reason(name: str, kind: Kind, reason: str) -> None:
    rep = report(name)
    assert rep.kind is kind
    assert [r.reason for r in rep.records] == [reason]
    assert_no_advice(rep)
    assert rep.is_bounce is (kind is Kind.DELAY)


def test_delay_keeps_its_action_and_status() -> None:
    (rec,) = report("delay-mailboxfull").records
    assert (rec.action, rec.status, rec.recipient) == ("delayed", "4.2.2", "carol.full@example.com")


def test_relayed_dsn_keeps_its_action() -> None:
    (rec,) = report("relayed").records
    assert (rec.action, rec.status) == ("relayed", "2.0.0")


def test_auto_reply_names_the_address_that_answered() -> None:
    assert report("vacation-rfc3834").records[0].recipient == "erin@example.com"
    assert report("vacation-apple").records[0].recipient == "jules@example.com"


def test_complaint_carries_feedback_type_source_ip_recipient_and_message_id() -> None:
    (rec,) = report("arf-complaint").records
    assert rec.recipient == "lena@example.net"
    assert rec.recipient_source == "report"
    assert rec.feedback_type == "abuse"
    assert rec.source_ip == "192.0.2.77"
    assert rec.message_id == "<offers-2026-03-lena@example.org>"


@pytest.mark.parametrize("name", ["forwarded-bounce", "forwarded-inline", "quoted-bounce"])
def test_forwarded_or_quoted_bounce_is_not_a_bounce(name: str) -> None:
    rep = report(name)
    assert rep.kind is Kind.NOT_BOUNCE
    assert rep.records == ()


def test_the_same_bounce_unforwarded_is_a_failure() -> None:
    raw = fixture_bytes("lookalikes/forwarded-bounce.eml").decode()
    inner = raw.split("Content-Type: message/rfc822\n\n", 1)[1].rsplit("\n--fwd-1015--", 1)[0]
    rep = parse(inner.encode())
    assert rep.kind is Kind.FAILURE
    assert [(r.recipient, r.reason, r.suppress) for r in rep.records] == [("client@example.com", "userunknown", True)]


def test_a_daemon_forwarding_a_bounce_is_still_a_bounce() -> None:
    raw = fixture_bytes("lookalikes/forwarded-bounce.eml").decode()
    inner = raw.split("Content-Type: message/rfc822\n\n", 1)[1].rsplit("\n--fwd-1015--", 1)[0]
    rep = parse(inner.replace("Subject: Undelivered Mail", "Subject: Fwd: Undelivered Mail").encode())
    assert rep.kind is Kind.FAILURE


def test_auto_reply_headers_from_a_daemon_do_not_hide_a_failure() -> None:
    raw = fixture_bytes("lookalikes/forwarded-bounce.eml").decode()
    inner = raw.split("Content-Type: message/rfc822\n\n", 1)[1].rsplit("\n--fwd-1015--", 1)[0]
    rep = parse(inner.replace("Subject:", "Auto-Submitted: auto-replied\nSubject:", 1).encode())
    assert rep.kind is Kind.FAILURE


def test_ordinary_message_with_a_vacation_word_in_the_body_is_not_an_auto_reply() -> None:
    raw = (
        b"From: Pia <pia@example.com>\nTo: news@example.org\nSubject: Question\n"
        b"Message-Id: <q1@example.com>\n\nIs the out of office rule still on? Vacation is over.\n"
    )
    assert parse(raw).kind is Kind.NOT_BOUNCE


def test_inline_forward_is_recognised_by_its_marker_not_its_subject() -> None:
    raw = fixture_bytes("lookalikes/forwarded-inline.eml")
    assert b"Subject: Undelivered Mail Returned to Sender" in raw.split(b"\n\n", 1)[0]
    assert parse(raw).kind is Kind.NOT_BOUNCE
    sender = b"From: Nora Example <nora@example.org>"
    machine = raw.replace(sender, sender + b"\nReturn-Path: <>", 1)
    assert parse(machine).kind is Kind.FAILURE


@pytest.mark.parametrize(
    "header",
    [b"X-Autoreply: yes", b"Auto-Submitted: auto-replied (vacation)", b"X-Autorespond: on", b"Precedence: auto_reply"],
)
def test_auto_reply_headers_alone_make_an_auto_reply(header: bytes) -> None:
    raw = (
        b"From: Quentin <quentin@example.net>\nTo: news@example.org\nSubject: Re: Spring offers\n"
        + header
        + b"\nMessage-Id: <q2@example.net>\n\nThanks, I will read this next week.\n"
    )
    rep = parse(raw)
    assert rep.kind is Kind.AUTOREPLY
    assert [(r.recipient, r.reason, r.bounce_type) for r in rep.records] == [("quentin@example.net", "vacation", None)]


def test_auto_submitted_notification_is_not_an_auto_reply() -> None:
    raw = (
        b"From: Reports <reports@example.net>\nTo: news@example.org\nSubject: Weekly statistics\n"
        b"Auto-Submitted: auto-generated\nMessage-Id: <q3@example.net>\n\nYour numbers for the week.\n"
    )
    assert parse(raw).kind is Kind.NOT_BOUNCE
