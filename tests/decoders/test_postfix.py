"""The postfix decoder: the tricky parts of its layout, beyond what ``fixtures/postfix/`` pins down."""

from __future__ import annotations

from dsnparse import parse
from dsnparse.decoders import postfix
from dsnparse.message import load

from ._samples import message

_POSTFIX_HEAD = (
    "From: MAILER-DAEMON@gw.example.org (Mail Delivery System)\nTo: me@example.org\n"
    "Subject: Undelivered Mail Returned to Sender"
)


def test_postfix_reply_line_starting_with_an_address_continues_the_paragraph() -> None:
    raw = message(
        _POSTFIX_HEAD,
        "This is the mail system at host gw.example.org.\n\n"
        "<kim@example.net>: host mx.example.net[192.0.2.3] said: 550 5.1.1\n"
        "<kim@example.net>... User unknown (in reply to RCPT TO command)\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "kim@example.net"
    assert record.smtp_command == "RCPT"
    assert record.diagnostic == "550 5.1.1 <kim@example.net>... User unknown"


def test_postfix_expanded_from_wrapped_over_two_lines() -> None:
    raw = message(
        _POSTFIX_HEAD,
        "This is the Postfix program at host gw.example.org.\n\n"
        "<lee@example.net> (expanded from\n"
        "    <team@example.org>): delivery temporarily suspended: connect to\n"
        "    mx.example.net[192.0.2.4]: Connection refused\n",
    )
    [record] = parse(raw).records
    assert (record.recipient, record.original_recipient) == ("lee@example.net", "team@example.org")
    assert record.remote_mta == "mx.example.net"


def test_postfix_report_quoting_another_postfix_report_reads_the_inner_one() -> None:
    raw = message(
        _POSTFIX_HEAD,
        "I'm sorry to have to inform you that the message returned\nbelow could not be delivered.\n\n"
        "Return-Path: <>\nReceived: by relay.example.net (Postfix) id 1A2B\n"
        "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n\n"
        "This is the Postfix program at host relay.example.net.\n\n"
        "<max@example.com>: host mx.example.com[192.0.2.8] said: 550 no such\n"
        "    user (in reply to RCPT TO command)\n\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example.net\n\n"
        "Final-Recipient: rfc822; max@example.com\nAction: failed\nStatus: 5.1.1\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "max@example.com"
    assert (record.status, record.smtp_command) == ("5.1.1", "RCPT")


def test_postfix_transcript_refusal_at_mail_from_has_no_recipient_to_blame() -> None:
    raw = message(
        "From: MAILER-DAEMON@mx.example.org\nTo: postmaster@mx.example.org\n"
        "Subject: Postfix SMTP server: errors from x.example.net[192.0.2.7]",
        "Transcript of session follows.\n\n Out: 220 mx.example.org ESMTP\n"
        " In:  MAIL FROM:<spam@example.net>\n Out: 554 5.7.1 Sender blocked\n In:  QUIT\n",
    )
    [facts] = postfix.decode(load(raw))
    assert facts.recipient is None
    assert (facts.status, facts.smtp_command) == ("5.7.1", "MAIL")


def test_postfix_transcript_joins_a_multi_line_reply() -> None:
    raw = message(
        "From: MAILER-DAEMON@mx.example.org\nTo: postmaster@mx.example.org\n"
        "Subject: Postfix SMTP server: errors from x.example.net[192.0.2.7]",
        "Transcript of session follows.\n\n In:  MAIL FROM:<a@example.net>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<gone@example.org>\n Out: 550-5.1.1 That account is closed.\n"
        " Out: 550 5.1.1 Ask the sender for a new address.\n In:  QUIT\n",
    )
    [facts] = postfix.decode(load(raw))
    assert facts.recipient == "gone@example.org"
    assert facts.diagnostic == "550-5.1.1 That account is closed. Ask the sender for a new address."


def test_postfix_translated_notice_is_recognised_by_its_own_received_line() -> None:
    raw = message(
        "Received: by mx.example.org (Postfix)\n\tid 1A2B; Mon, 5 Jan 2026 10:00:00 +0000\n"
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: a@example.org\n"
        "Subject: Unzustellbare Nachricht",
        "Dies ist das Mailsystem auf mx.example.org.\n\n"
        "<b@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 Benutzer unbekannt (in\n"
        "    reply to RCPT TO command)\n",
    )
    assert postfix.matches(load(raw))
    [record] = parse(raw).records
    assert (record.decoder, record.recipient, record.smtp_command) == ("postfix", "b@example.net", "RCPT")


def test_postfix_relayed_personal_mail_is_not_claimed() -> None:
    raw = message(
        "Received: by mx.example.org (Postfix)\n\tid 1A2C; Mon, 5 Jan 2026 10:00:00 +0000\n"
        "From: Ann <ann@example.org>\nTo: b@example.net\nSubject: Lunch",
        "<b@example.net>: are you free at noon?\n",
    )
    assert not postfix.matches(load(raw))
