"""Batch d: the gateway decoders' tricky parsing, the generic heuristic's recipient rules and
the VERP decoding, beyond what the fixtures under fixtures/<family>/ already pin down."""

from __future__ import annotations

import pytest

from dsnparse import addresses, parse
from dsnparse.addresses import verp_recipient
from dsnparse.decoders import amavis, generic, mimecast, mxlogic, report, smtp, trendmicro
from dsnparse.message import load
from dsnparse.record import Kind


def mail(headers: str, body: str) -> bytes:
    """A message from header lines and a body (LF line endings, as the loader normalises)."""
    return (headers.strip() + "\n\n" + body).encode("utf-8")


DAEMON = "From: MAILER-DAEMON@mx.example.net\nTo: amy@example.org\nSubject: Undelivered mail\nReturn-Path: <>"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("bounces+alice=example.com@lists.example.org", "alice@example.com"),
        ("list-bounces+mary-jane=example.com@lists.example.org", "mary-jane@example.com"),
        ("bounce-mary-jane=example.com@news.example.org", "mary-jane@example.com"),
        ("bounce.alice=example.com@news.example.org", "alice@example.com"),
        ("return_alice=sub.example.co.uk@news.example.org", "alice@sub.example.co.uk"),
        ("<bounces+bob=example.net@lists.example.org>", "bob@example.net"),
        ("prvs=1a2b3c4d=alice@example.org", None),  # BATV tag: the sender itself, not VERP
        ("alice@example.org", None),
        ("bounces+=example.com@lists.example.org", None),
    ],
)
def test_verp_recipient(address: str, expected: str | None) -> None:
    assert verp_recipient(address) == expected


def test_facts_read_codes_command_and_the_vendor_reason_from_the_text() -> None:
    facts = report.facts(addresses.normalize("<Al@Example.NET>"), "554 5.7.0 was considered unsolicited bulk e-mail\n"
                           " (in reply to end of data command)", reasons="amavis")
    assert (facts.recipient, facts.status, facts.reply_code) == ("Al@example.net", "5.7.0", "554")
    assert (facts.smtp_command, facts.reason) == ("DATA", "spamdetected")
    assert report.facts("al@example.net", "550 unknown", reasons="mcafee").reason is None


def test_remote_host_is_the_host_next_to_its_address() -> None:
    assert smtp.remote_host("Server MX2.Example.NET[192.0.2.9] said: 550", "bracketed") == "mx2.example.net"
    assert smtp.remote_host("no host named here", "bracketed") is None


def test_amavis_keeps_the_downstream_mta_reply_not_its_own_wrapper() -> None:
    m = load(mail(
        'From: "Content-filter at f.example.org" <postmaster@f.example.org>\nTo: amy@example.org\nSubject: x',
        "The message WAS NOT relayed to:\n  <bo@example.net>: host mx.example.net[192.0.2.3] said:\n"
        "   550 5.1.1 Failed, id=1-2, from MTA([192.0.2.3]:10025): 550 5.1.1 <bo@example.net>: no mailbox\n",
    ))
    assert amavis.matches(m)
    (facts,) = amavis.decode(m)
    assert facts.recipient == "bo@example.net"
    assert facts.diagnostic == "550 5.1.1 <bo@example.net>: no mailbox"
    assert facts.remote_mta == "mx.example.net"


def test_mimecast_sections_survive_a_wrapped_line_and_set_the_stated_reason() -> None:
    m = load(mail(
        "From: postmaster@example.net\nTo: amy@example.org\nSubject: [Postmaster] Email Delivery Failure\n"
        "X-MC-System: =abc\nContent-Transfer-Encoding: quoted-printable",
        "An email that you attempted to send to the following address could not be d=\nelivered:\n"
        "-- cy@example.net\n\nThe problem appears to be :\n-- Recipient mailbox is full\n\n"
        "Additional information follows :\n-- 552 5.2.2 quota exceeded for this=\n mailbox\n",
    ))
    assert mimecast.matches(m)
    (facts,) = mimecast.decode(m)
    assert (facts.recipient, facts.status, facts.reason) == ("cy@example.net", "5.2.2", "mailboxfull")


def test_mxlogic_joins_a_reply_wrapped_over_several_lines() -> None:
    m = load(mail(
        "From: MAILER-DAEMON@relay.example.net\nTo: amy@example.org\nSubject: Mail delivery failed\n"
        "X-MX-Bounce: mta/src/queue/bounce",
        "The following address failed:\n\n  <di@example.net>: host mx.example.net [192.0.2.4]:\n"
        "    550-5.1.1 first line\n    550 5.1.1 second line\n\nIncluded is a copy of the message header:\n"
        "To: di@example.net, ed@example.net\n",
    ))
    (facts,) = mxlogic.decode(m)
    assert facts.recipient == "di@example.net"
    assert facts.status == "5.1.1"
    assert facts.remote_mta == "mx.example.net"


def test_trendmicro_pairs_each_reply_with_the_rcpt_that_drew_it() -> None:
    m = load(mail(
        'From: "InterScan MSS" <postmaster@example.net>\nTo: amy@example.org\nSubject: x',
        "Sent <<< RCPT TO:<fa@example.net>\nReceived >>> 250 ok\n"
        "Sent <<< RCPT TO:<gu@example.net>\nReceived >>> 550 5.1.1 unknown\n",
    ))
    facts = trendmicro.decode(m)
    assert [(f.recipient, f.reply_code, f.smtp_command) for f in facts] == [
        ("fa@example.net", "250", "RCPT"),
        ("gu@example.net", "550", "RCPT"),
    ]


def test_generic_skips_sender_lines_contacts_and_signatures() -> None:
    body = (
        "MAIL FROM: amy@example.org\nOriginal sender: other@example.org\n\n"
        "Delivery to this recipient failed:\n  hal@example.net: 550 5.1.1 no such user\n\n"
        "For help please contact desk@example.net.\nYou may also reach desk@example.net by phone.\n\n"
        "-- \nMail team, team@example.net\n"
    )
    facts = generic.decode(load(mail(DAEMON, body)))
    assert [f.recipient for f in facts] == ["hal@example.net"]
    assert facts[0].diagnostic == "550 5.1.1 no such user"


def test_generic_drops_addresses_without_failure_evidence_when_others_have_it() -> None:
    body = "Your message\n\n  To: ian@example.net, jo@example.net\n\ndid not reach:\n\njo@example.net\n  user unknown\n"
    facts = generic.decode(load(mail(DAEMON, body)))
    assert [(f.recipient, f.diagnostic) for f in facts] == [("jo@example.net", "user unknown")]


def test_generic_does_not_claim_human_mail_with_a_bounce_like_subject() -> None:
    raw = mail(
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
    report = parse(mail(DAEMON, body))
    assert [(r.recipient, r.recipient_source) for r in report.records] == [("ned@example.net", "original-to")]


def test_gateway_headers_on_ordinary_mail_do_not_make_a_bounce() -> None:
    raw = mail(
        "From: Pia <pia@example.org>\nTo: quin@example.com\nSubject: Minutes\nReturn-Path: <pia@example.org>\n"
        "X-NAI-Header: Modified by McAfee Email Gateway\nX-SEF-Processed: 7_0_0_1\n"
        "X-Mailer: SurfControl E-mail Filter\n"
        "X-Mimecast-Spam-Score: 1\nX-MX-Bounce: none",
        "Addressed To: quin@example.com\nThe minutes are attached; the vote was rejected 3 to 2.\n",
    )
    assert parse(raw).kind is Kind.NOT_BOUNCE


def test_a_report_whose_declared_boundary_was_rewritten_is_still_read() -> None:
    raw = mail(
        "From: MAILER-DAEMON@mx.example.net\nTo: amy@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B1/mx.example"',
        "This is a MIME-encapsulated message.\n\n--B1/mx.example.net\nContent-Type: text/plain\n\n"
        "<rob@example.net>: host mx.example.net[192.0.2.5] said: 550 5.1.1 unknown user\n\n"
        "--B1/mx.example.net\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; rob@example.net\nAction: failed\nStatus: 5.1.1\n\n--B1/mx.example.net--\n",
    )
    m = load(raw)
    assert [p.get_content_type() for p in m.parts] == ["text/plain", "message/delivery-status"]
    report = parse(raw)
    assert [(r.recipient, r.status) for r in report.records] == [("rob@example.net", "5.1.1")]


def test_a_multipart_without_any_delimiter_is_left_as_parsed() -> None:
    raw = mail(
        "From: a@example.org\nTo: b@example.org\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="Q"',
        "no parts here\n--just a dash line\n",
    )
    assert load(raw).message.get_payload() == "no parts here\n--just a dash line\n"
