"""The messagingserver decoder: the tricky parts of its layout, beyond what ``fixtures/messagingserver/`` pins down."""

from __future__ import annotations

from dsnparse import parse

from ._samples import raw


def test_messagingserver_reads_a_report_whose_boundaries_are_lost() -> None:
    text = """\
From: PMDF e-Mail Interconnect <MAILER-DAEMON@pmdf.example.com>
To: erin@example.org
Subject: Delivery Notification: Delivery has failed
MIME-version: 1.0
Content-type: multipart/report; report-type=delivery-status

This report relates to a message you sent with the following header fields:

  From: erin@example.org

Your message cannot be delivered to the following recipients:

  Recipient address: fay@example.net
  Reason: Remote SMTP server has rejected address
  Diagnostic code: smtp; 550 5.7.1 Not allowed
  Remote system: dns; mx.example.net (TCP|192.0.2.1|1|192.0.2.2|25)
  Recipient address: gus@example.net
  Reason: Remote SMTP server has rejected address
  Diagnostic code: smtp; 550 5.1.1 No such user
  Remote system: dns; mx.example.net (TCP|192.0.2.1|1|192.0.2.2|25)
"""
    recs = parse(raw(text)).records
    assert [(r.recipient, r.status, r.smtp_command, r.remote_mta) for r in recs] == [
        ("fay@example.net", "5.7.1", "RCPT", "mx.example.net"),
        ("gus@example.net", "5.1.1", "RCPT", "mx.example.net"),
    ]
