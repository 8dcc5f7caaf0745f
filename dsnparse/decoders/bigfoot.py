"""Bigfoot (bigfoot.com forwarding): a sendmail-style report whose transcript names the command
and reply that failed::

       ----- The following addresses had permanent fatal errors -----
    <bob@example.net>
       ----- Transcript of session follows -----
    >>> RCPT TO:<bob@example.net>
    <<< 553 Invalid recipient bob@example.net (Mode: normal)
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, smtp, views

NAME = "bigfoot"


def matches(mail: Mail) -> bool:
    """A report from a daemon, sent from bigfoot.com or received by a bigfoot.com relay."""
    if not views.machine_report(mail):
        return False
    if mail.sender.rstrip(">").endswith("@bigfoot.com"):
        return True
    return any("bigfoot.com" in r for r in views.received(mail)[:2])


def decode(mail: Mail) -> list[Facts]:
    """The transcript's command and reply for the recipient it names."""
    rows = views.lines(mail)
    command, reply = smtp.transcript(rows)
    if reply is None:
        return []
    sent = [addresses.find_all(r) for r in rows if r.lstrip().upper().startswith(">>> RCPT TO:")]
    recipient = sent[-1][0] if sent and sent[-1] else None
    return [blocks.facts(recipient, reply, smtp_command=command, source="report")]
