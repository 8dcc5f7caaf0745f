"""Unit tests for the batch c provider decoders: the tricky parts of their parsing, beyond the fixtures."""

from __future__ import annotations

import json
import re

import pytest

from dsnparse import parse
from dsnparse.decoders import (
    amazonses,
    amazonworkmail,
    gmail,
    gmx,
    googlegroups,
    googleworkspace,
    mailru,
    report,
    smtp,
    yahoo,
    zoho,
)
from dsnparse.message import load
from dsnparse.record import Kind
from dsnparse.standard.dsn import facts_from_groups, parse_groups


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)", "RCPT"),
        ("SMTP error from remote mail server after end of data:", "DATA"),
        ("SMTP error from remote server for TEXT command, host: mx.example.net", "DATA"),
        ("Remote host said: 501 5.1.8 Sender address rejected [MAIL_FROM]", "MAIL"),
        ("Connection timed out in connect", "CONN"),
        ("550 5.1.1 user unknown", None),
    ],
)
def test_smtp_command_from_wording(text: str, command: str | None) -> None:
    assert smtp.command_phrase(text) == command


def test_remote_host_needs_a_domain_name() -> None:
    assert smtp.remote_host("host mx.Example.NET[192.0.2.1] said: 550", "host") == "mx.example.net"
    assert smtp.remote_host("host: mail.example.com 5.2.2 full", "host") == "mail.example.com"
    assert smtp.remote_host("Remote host said: 550 5.1.1 unknown", "host") is None


def test_last_reply_is_the_remote_verdict_inside_a_wrapper() -> None:
    text = "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>"
    assert smtp.last_reply(text) == ("421", "4.4.2")
    assert smtp.last_reply("5.1.0 - Unknown address error 550-'5.7.1 <a@example.net>... Access denied'") == (
        "550",
        "5.7.1",
    )
    assert smtp.last_reply("Connection timed out") is None


def test_a_multi_line_reply_inside_a_sentence_is_joined() -> None:
    text = "Remote host said:\n550-5.1.1 <a@example.net> no such\n550-5.1.1 user at this\n550 5.1.1 site [RCPT_TO]"
    facts = report.facts("a@example.net", text, read=True)
    assert facts.diagnostic == "Remote host said: 550-5.1.1 <a@example.net> no such user at this site [RCPT_TO]"
    assert (facts.status, facts.reply_code, facts.smtp_command) == ("5.1.1", "550", "RCPT")


def test_blocks_skip_daemons_and_repeats_and_stop_at_blank_lines() -> None:
    lines = [
        "  a@example.net",
        "    host mx.example.net: 550 5.1.1 unknown",
        "",
        "  MAILER-DAEMON@example.org",
        "    not a recipient",
        "  a@example.net",
        "    the same block again",
        "",
        "Trailing text that belongs to nobody",
    ]
    start = re.compile(r" {2}(\S{1,320}@\S{1,255})$")
    assert report.blocks(lines, start) == [("a@example.net", ["host mx.example.net: 550 5.1.1 unknown"])]


def test_indented_continuation_quoting_the_address_does_not_open_a_block() -> None:
    lines = [
        "<b@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1",
        "    <b@example.net>: Recipient address rejected (in reply to",
        "    RCPT TO command)",
    ]
    ((addr, block),) = report.blocks(lines, report.ANGLE_RECIPIENT)
    assert addr == "b@example.net"
    assert smtp.command_phrase(" ".join(block)) == "RCPT"


def test_dsn_groups_without_blank_lines_are_split_per_recipient() -> None:
    text = (
        "Reporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; one@example.net\nAction: failed\nStatus: 5.2.2\n"
        "Final-Recipient: rfc822; two@example.net\nAction: failed\nStatus: 5.1.1\n"
    )
    facts = facts_from_groups(parse_groups(text))
    assert [(f.recipient, f.status) for f in facts] == [("one@example.net", "5.2.2"), ("two@example.net", "5.1.1")]


def test_generic_dsn_status_takes_the_remote_code_not_the_mta_prefix() -> None:
    text = (
        "Final-Recipient: rfc822; c@example.net\nAction: failed\nStatus: 5.0.0 (permanent failure)\n"
        "Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.2.2 <c@example.net>... Mailbox Full'\n"
    )
    (facts,) = facts_from_groups(parse_groups(text))
    assert facts.status == "5.2.2"


ORDINARY = b"""From: Robin Example <robin@gmail.com>
To: dana@example.org
Subject: Lunch on Friday?
Message-ID: <lunch-1@mail.gmail.com>
Content-Type: text/plain; charset=utf-8

Delivery to the following recipient failed permanently:

     somebody@example.net

(just kidding, see you at noon)
"""


def test_provider_decoders_leave_ordinary_mail_alone() -> None:
    mail = load(ORDINARY)
    for decoder in (gmail, googlegroups, yahoo, zoho, gmx, mailru, amazonses):
        assert not decoder.matches(mail), decoder.NAME
    assert parse(ORDINARY).kind is Kind.NOT_BOUNCE


@pytest.mark.parametrize(("mailer", "decoder"), [("Zoho Mail", zoho), ("Amazon WorkMail", amazonworkmail)])
def test_a_persons_mail_sent_with_a_provider_mailer_is_not_a_report(mailer: str, decoder: object) -> None:
    raw = ORDINARY.replace(b"Content-Type:", f"X-Mailer: {mailer}\nContent-Type:".encode(), 1)
    assert not decoder.matches(load(raw))  # type: ignore[attr-defined]


GMAIL = b"""From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: dana@example.org
Subject: Delivery Status Notification (Failure)
Content-Type: text/plain; charset=UTF-8

Delivery to the following recipients failed permanently:

     first@example.net
     second@example.com

Technical details of permanent failure:
DNS Error: Domain name not found

----- Original message -----

From: dana@example.org
To: first@example.net, second@example.com, third@example.org
Subject: hello

Reply to someone.else@example.net please.
"""


def test_gmail_reads_every_listed_recipient_and_nothing_from_the_original() -> None:
    report = parse(GMAIL)
    assert [r.recipient for r in report.records] == ["first@example.net", "second@example.com"]
    assert {r.reason for r in report.records} == {"hostunknown"}
    assert {r.decoder for r in report.records} == {"gmail"}


def _sns(payload: dict[str, object]) -> bytes:
    head = b"From: alerts <no-reply@sns.amazonaws.com>\nTo: ops@example.org\nSubject: AWS Notification Message\n\n"
    return head + json.dumps(payload).encode() + b"\n\n--\nunsubscribe text\n"


def test_ses_transient_bounce_is_a_delay() -> None:
    payload = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Transient",
            "bounceSubType": "MailboxFull",
            "bouncedRecipients": [{"emailAddress": "full@example.net", "diagnosticCode": "smtp; 452 4.2.2 full"}],
        },
    }
    (record,) = parse(_sns(payload)).records
    assert (record.recipient, record.action, record.status, record.reason) == (
        "full@example.net",
        "delayed",
        "4.2.2",
        "mailboxfull",
    )


def test_sns_message_that_is_not_ses_json_is_not_claimed() -> None:
    raw = b"From: alerts <no-reply@sns.amazonaws.com>\nTo: ops@example.org\nSubject: AWS Notification Message\n\n"
    raw += b"Your alarm HighCPU is in ALARM state.\n"
    assert not amazonses.matches(load(raw))
    assert amazonses.decode(load(_sns({"notificationType": "AmazonSnsSubscriptionSucceeded"}))) == []


def test_ses_json_that_does_not_parse_gives_nothing() -> None:
    raw = _sns({"notificationType": "Bounce"}).replace(b'"}', b'"')
    assert amazonses.decode(load(raw)) == []


def _google(text: str) -> bytes:
    head = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: dana@example.org\n"
    head += "Subject: Delivery Status Notification (Failure)\nContent-Type: text/plain; charset=UTF-8\n\n"
    return (head + text).encode()


def test_google_headline_gives_the_reason_only_without_a_remote_response() -> None:
    headline = (
        "** Address not found **\n\nYour message wasn't delivered to kit@example.net because the address"
        " couldn't be found, or is unable to receive mail.\n\n"
    )
    (alone,) = googleworkspace.decode(load(_google(headline)))
    assert (alone.recipient, alone.reason) == ("kit@example.net", "userunknown")
    answered = headline + "The response from the remote server was:\n501 5.1.8 Sender address rejected\n"
    (replied,) = googleworkspace.decode(load(_google(answered)))
    assert (replied.reason, replied.status, replied.reply_code) == (None, "5.1.8", "501")


def test_ses_event_publishing_delay_is_a_delay() -> None:
    payload = {
        "eventType": "DeliveryDelay",
        "deliveryDelay": {
            "delayType": "TransientCommunicationFailure",
            "delayedRecipients": [
                {"emailAddress": "slow@example.net", "status": "4.4.1", "diagnosticCode": "smtp; 421 4.4.1 try later"}
            ],
            "reportingMTA": "a1-2.smtp-out.eu-west-1.amazonses.com",
        },
    }
    report = parse(_sns(payload))
    (record,) = report.records
    assert report.kind is Kind.DELAY
    assert (record.recipient, record.action, record.status, record.reply_code) == (
        "slow@example.net",
        "delayed",
        "4.4.1",
        "421",
    )


def test_zoho_newer_layout_without_verdict() -> None:
    raw = (
        b"From: mailer-daemon@mail.zoho.eu\nTo: dana@example.org\nSubject: Undelivered Mail Returned to Sender\n\n"
        b"This message was created automatically by mail delivery software.\n\n"
        b"ivy@example.net, ERROR_CODE :550, ERROR_DESCRIPTION :5.1.1 <ivy@example.net>: Recipient address rejected\n"
    )
    (facts,) = zoho.decode(load(raw))
    assert (facts.recipient, facts.status, facts.reply_code) == ("ivy@example.net", "5.1.1", "550")
