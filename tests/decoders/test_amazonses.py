"""The amazonses decoder: the tricky parts of its layout, beyond what ``fixtures/amazonses/`` pins down."""

from __future__ import annotations

import json

from dsnparse import parse
from dsnparse.decoders import amazonses
from dsnparse.message import load
from dsnparse.record import Kind


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
