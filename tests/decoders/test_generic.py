"""The generic decoder: the tricky parts of its layout, beyond what ``fixtures/generic/`` pins down."""

from __future__ import annotations

from dsnparse import parse
from dsnparse.decoders import generic
from dsnparse.message import load
from dsnparse.record import Kind

from ._samples import DAEMON, message


def test_generic_skips_sender_lines_contacts_and_signatures() -> None:
    body = (
        "MAIL FROM: amy@example.org\nOriginal sender: other@example.org\n\n"
        "Delivery to this recipient failed:\n  hal@example.net: 550 5.1.1 no such user\n\n"
        "For help please contact desk@example.net.\nYou may also reach desk@example.net by phone.\n\n"
        "-- \nMail team, team@example.net\n"
    )
    facts = generic.decode(load(message(DAEMON, body)))
    assert [f.recipient for f in facts] == ["hal@example.net"]
    assert facts[0].diagnostic == "550 5.1.1 no such user"


def test_generic_drops_addresses_without_failure_evidence_when_others_have_it() -> None:
    body = "Your message\n\n  To: ian@example.net, jo@example.net\n\ndid not reach:\n\njo@example.net\n  user unknown\n"
    facts = generic.decode(load(message(DAEMON, body)))
    assert [(f.recipient, f.diagnostic) for f in facts] == [("jo@example.net", "user unknown")]


def test_generic_does_not_claim_human_mail_with_a_bounce_like_subject() -> None:
    raw = message(
        "From: Kim <kim@example.org>\nTo: lee@example.com\nSubject: Undeliverable parcel, again\n"
        "Return-Path: <kim@example.org>",
        "The courier said the parcel for max@example.net could not be delivered and was rejected.\n",
    )
    assert not generic.matches(load(raw))
    assert parse(raw).kind is Kind.NOT_BOUNCE


def test_generic_takes_nothing_from_the_quoted_original_body() -> None:
    body = (
        "Delivery failed permanently: 550 5.1.1 mailbox does not exist\n\n"
        "------ This is a copy of the message, including all the headers. ------\n"
        "Message-ID: <hi-1@example.org>\nFrom: amy@example.org\nTo: ned@example.net\nSubject: hi\n\n"
        "please also ask oz@example.com\n"
    )
    report = parse(message(DAEMON, body))
    assert [(r.recipient, r.recipient_source) for r in report.records] == [("ned@example.net", "original-to")]
