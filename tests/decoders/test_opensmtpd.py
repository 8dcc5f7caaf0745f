"""The opensmtpd decoder: the tricky parts of its layout, beyond what ``fixtures/opensmtpd/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import opensmtpd
from dsnparse.message import load

from ._samples import message


def test_opensmtpd_never_repeats_a_recipient() -> None:
    raw = message(
        "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\nTo: me@example.org\n"
        "Subject: Delivery status notification: error",
        "    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n"
        "    An error has occurred while attempting to deliver a message for\n"
        "    the following list of recipients:\n\n"
        "z@example.net: 550 5.1.1 no\nz@example.net: 550 5.1.1 no\n\n"
        "    Below is a copy of the original message:\n",
    )
    assert [f.recipient for f in opensmtpd.decode(load(raw))] == ["z@example.net"]
