"""The googleworkspace decoder: the tricky parts of its layout, beyond what ``fixtures/googleworkspace/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import googleworkspace
from dsnparse.message import load


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
