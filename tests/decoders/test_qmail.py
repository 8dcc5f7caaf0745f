"""The qmail decoder: the tricky parts of its layout, beyond what ``fixtures/qmail/`` pins down."""

from __future__ import annotations

from dsnparse import parse

from ._samples import raw

QMAIL = """\
From: MAILER-DAEMON@mx.example.org
To: alice@example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@example.net>:
Connected to 192.0.2.9 but sender was rejected.
Remote host said: 421 4.7.0 Try again later, closing connection.
I'm not going to try again; this message has been in the queue too long.

<bob@example.net>:
Sorry, I couldn't find any host named example.net. (#5.1.2)

--- Below this line is a copy of the message.

From: alice@example.org
To: bob@example.net, mallory@example.com
Subject: hi

Write to <mallory@example.com>:
"""


def test_qmail_reads_remote_reply_without_vendor_verdict() -> None:
    report = parse(raw(QMAIL))
    assert [r.recipient for r in report.records] == ["bob@example.net"]
    rec = report.records[0]
    assert rec.decoder == "qmail"
    assert rec.diagnostic == "421 4.7.0 Try again later, closing connection."
    assert (rec.status, rec.reply_code) == ("4.7.0", "421")
    assert (rec.smtp_command, rec.remote_mta) == ("MAIL", "192.0.2.9")
    # the remote server answered: the "queue too long" sentence is not taken as the verdict
    assert rec.reason != "expired"


def test_qmail_own_sentence_names_the_reason() -> None:
    text = QMAIL.replace(
        "Connected to 192.0.2.9 but sender was rejected.\n"
        "Remote host said: 421 4.7.0 Try again later, closing connection.\n",
        "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)\n",
    )
    rec = parse(raw(text)).records[0]
    assert (rec.status, rec.reason) == ("5.4.4", "notaccept")
