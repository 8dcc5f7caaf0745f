"""The zoho decoder: the tricky parts of its layout, beyond what ``fixtures/zoho/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import zoho
from dsnparse.message import load


def test_zoho_newer_layout_without_verdict() -> None:
    raw = (
        b"From: mailer-daemon@mail.zoho.eu\nTo: dana@example.org\nSubject: Undelivered Mail Returned to Sender\n\n"
        b"This message was created automatically by mail delivery software.\n\n"
        b"ivy@example.net, ERROR_CODE :550, ERROR_DESCRIPTION :5.1.1 <ivy@example.net>: Recipient address rejected\n"
    )
    (facts,) = zoho.decode(load(raw))
    assert (facts.recipient, facts.status, facts.reply_code) == ("ivy@example.net", "5.1.1", "550")
