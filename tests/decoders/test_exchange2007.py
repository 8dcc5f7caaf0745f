"""The exchange2007 decoder: the tricky parts of its layout, beyond what ``fixtures/exchange2007/`` pins down."""

from __future__ import annotations

from dsnparse import parse

from ._samples import raw


def test_exchange2007_old_hash_reply_and_component_code() -> None:
    text = """\
From: postmaster@example.com
To: carol@example.org
Subject: Undeliverable: report

Delivery has failed to these recipients or distribution lists:

Dan<mailto:dan@example.com>
The recipient's e-mail address was not found in the recipient's e-mail system.

Diagnostic information for administrators:

Generating server: mta.example.com

dan@example.com
#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##

Original message headers:

To: dan@example.com
"""
    rec = parse(raw(text)).records[0]
    assert (rec.recipient, rec.status, rec.reason) == ("dan@example.com", "5.1.1", "userunknown")
    assert rec.decoder == "exchange2007"
    assert rec.diagnostic == "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"


def test_exchange2010_status_and_smtp_reply_form() -> None:
    text = """\
From: postmaster@example.com
To: carol@example.org
Subject: Undeliverable: report

Delivery has failed to these recipients or groups:

Diagnostic information for administrators:

Generating server: ex10.example.com

eve@nowhere.example.net
#< #5.4.4 smtp;554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain> #SMTP#
"""
    rec = parse(raw(text)).records[0]
    assert (rec.recipient, rec.status, rec.reply_code) == ("eve@nowhere.example.net", "5.4.4", "554")
    assert rec.diagnostic == "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain"
    assert rec.reason == "hostunknown"
