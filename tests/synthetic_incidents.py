"""A synthetic bounce mailbox with two sender-side incidents that start and end at known times,
among ordinary (recipient-side) bounces and one delivery notice.

* Incident A: Outlook.com refuses 192.0.2.10 with S3150 every 15 minutes from 2026-12-01 09:14
  to 14:59 (24 messages, 27 distinct recipients: every sixth message has two, the last repeats
  the first recipient); a delivery notice from Outlook.com at 16:00 ends it (``accepted``).
* Incident B: Yahoo defers 198.51.100.7 with TSS04 every 30 minutes from 2026-12-02 08:00 to
  11:30 (8 messages, 8 recipients); nothing follows, so it ends by the quiet time (``quiet``).
* Ordinary bounces every 3 hours from 2026-11-30 12:00 to 2026-12-03 12:00: unknown users at
  Gmail and Outlook.com, full mailboxes at example.net. They make no incident.

``python -m tests.synthetic_incidents OUT.mbox`` writes the mailbox; :func:`messages` yields the
messages in time order.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

S3150 = ("550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet "
         "service provider since part of their network is on our block list (S3150).")
TSS04 = "421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected volume or user complaints"


def _dsn(when: datetime, serial: int, recipients: list[str], action: str, status: str, mta: str, reply: str) -> str:
    date = format_datetime(when)
    blocks = "\n".join(
        f"Final-Recipient: rfc822; {r}\nAction: {action}\nStatus: {status}\nRemote-MTA: dns; {mta}\n"
        f"Diagnostic-Code: smtp; {reply}\nLast-Attempt-Date: {date}\n"
        for r in recipients
    )
    boundary = f"syn-{serial}"
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@relay.example.org>\nTo: letters@example.org\n"
        f"Date: {date}\nSubject: Delivery Status Notification ({action})\nAuto-Submitted: auto-replied\n"
        f"Message-Id: <syn-{serial}@relay.example.org>\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\nA notice about letter {serial} from the test relay.\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example.org\n\n"
        f"{blocks}\n--{boundary}--\n"
    )


def messages() -> Iterator[tuple[datetime, str]]:
    """Every message of the mailbox with its time, in time order."""
    out: list[tuple[datetime, str]] = []
    serial = 0

    def add(when: datetime, recipients: list[str], action: str, status: str, mta: str, reply: str) -> None:
        nonlocal serial
        serial += 1
        out.append((when, _dsn(when, serial, recipients, action, status, mta, reply)))

    start = datetime(2026, 12, 1, 9, 14, tzinfo=UTC)
    outlook = "example-com.mail.protection.outlook.com"
    for k in range(24):
        rcpts = [f"a{k}@example.com"] if k < 23 else ["a0@example.com"]
        if k % 6 == 1:
            rcpts.append(f"a{k}b@example.com")
        add(start + timedelta(minutes=15 * k), rcpts, "failed", "5.7.1", outlook, S3150)
    add(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), ["welcome@example.com"], "delivered", "2.0.0", outlook,
        "250 2.6.0 Queued mail for delivery")
    start = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    for k in range(8):
        add(start + timedelta(minutes=30 * k), [f"y{k}@example.com"], "delayed", "4.7.0", "mta5.am0.yahoodns.net",
            TSS04)
    ordinary = [
        ("5.1.1", "gmail-smtp-in.l.google.com", "550 5.1.1 The email account that you tried to reach does not exist."),
        ("5.1.1", "example-com.mail.protection.outlook.com",
         "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"),
        ("5.2.2", "mx.example.net", "552 5.2.2 Mailbox full: this user's quota is exceeded"),
    ]
    when = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    k = 0
    while when <= datetime(2026, 12, 3, 12, 0, tzinfo=UTC):
        status, mta, reply = ordinary[k % 3]
        add(when, [f"gone{k}@example.{'net' if k % 3 == 2 else 'com'}"], "failed", status, mta, reply)
        when += timedelta(hours=3)
        k += 1
    out.sort(key=lambda pair: pair[0])
    yield from out


def mbox() -> str:
    """The mailbox as mbox text."""
    return "".join(f"From MAILER-DAEMON {when:%a %b %d %H:%M:%S %Y}\n{text}\n" for when, text in messages())


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        fh.write(mbox())
