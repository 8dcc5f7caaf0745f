"""The gmail decoder: the tricky parts of its layout, beyond what ``fixtures/gmail/`` pins down."""

from __future__ import annotations

from dsnparse import parse

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
