"""The sendmail decoder: the tricky parts of its layout, beyond what ``fixtures/sendmail/`` pins down."""

from __future__ import annotations

from dsnparse import parse

from ._samples import message

_SENDMAIL_HEAD = (
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.org>\nTo: me@example.org\n"
    "Subject: Returned mail: see transcript for details"
)


def test_sendmail_one_data_refusal_applies_to_every_listed_address() -> None:
    raw = message(
        _SENDMAIL_HEAD,
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<a@example.net>\n    (reason: 552-5.7.0 This message was blocked because of its content)\n"
        "<b@example.net>\n    (reason: 552-5.7.0 This message was blocked because of its content)\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to mx.example.net.:\n>>> DATA\n"
        "<<< 552-5.7.0 This message was blocked because of its content\n"
        "<<< 552 5.7.0 and attachment guidelines.\n554 5.0.0 Service unavailable\n",
    )
    records = parse(raw).records
    assert [r.recipient for r in records] == ["a@example.net", "b@example.net"]
    for r in records:
        assert (r.smtp_command, r.remote_mta, r.status) == ("DATA", "mx.example.net", "5.7.0")
        assert r.diagnostic == "552-5.7.0 This message was blocked because of its content and attachment guidelines."


def test_sendmail_v5_without_any_address_falls_back_to_the_unsent_message() -> None:
    raw = message(
        _SENDMAIL_HEAD.replace("see transcript for details", "Cannot send message for 5 days"),
        "   ----- Transcript of session follows -----\n"
        "421 example.com (smtp)... Deferred: Connection timed out with example.com\n\n"
        "   ----- Unsent message follows -----\nReceived: by old.example.org; id AA1\n"
        "From: me@example.org\nTo: friend@example.com\nSubject: hi\n\nhello\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "friend@example.com"
    assert record.reason == "expired"
    assert record.reply_code == "421"


def test_sendmail_host_verdict_ends_the_previous_session() -> None:
    raw = message(
        _SENDMAIL_HEAD,
        "   ----- Transcript of session follows -----\nWhile talking to mx.example.edu:\n>>> DATA\n"
        "<<< 550 Not today\n554 <x@example.edu>... Remote protocol error\n"
        "550 example.org (smtp)... 550 Host unknown\n"
        "554 <y@example.org>... 550 Host unknown (Authoritative answer from name server)\n",
    )
    by = {r.recipient: r for r in parse(raw).records}
    assert by["x@example.edu"].diagnostic == "550 Not today"
    assert by["x@example.edu"].remote_mta == "mx.example.edu"
    assert by["y@example.org"].remote_mta is None
    assert by["y@example.org"].smtp_command is None


def test_sendmail_verdict_on_the_sender_is_not_a_failed_recipient() -> None:
    raw = message(
        _SENDMAIL_HEAD,
        "   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n"
        ">>> MAIL From:<me@example.org>\n<<< 553 5.1.8 Domain of sender address does not exist\n"
        "553 5.1.8 <me@example.org>... Domain of sender address me@example.org does not exist\n"
        "554 5.0.0 Service unavailable\n\n   ----- Original message follows -----\n"
        "Received: by mail.example.org id 1\nMessage-ID: <1@example.org>\n"
        "From: me@example.org\nTo: you@example.net\nSubject: x\n\nbody\n",
    )
    [record] = parse(raw).records
    assert record.recipient == "you@example.net"
    assert record.recipient_source == "original-to"
    assert (record.smtp_command, record.status) == ("MAIL", "5.1.8")
