"""Courier mail server.

Courier sends an RFC 3464 report whose human part names each recipient with the host it talked
to and the SMTP transcript of the failure::

    <bob@example.net>:
        mx.example.net [192.0.2.25]:
    >>> RCPT TO:<bob@example.net>
    <<< 550 5.1.1 <bob@example.net>... User Unknown

This decoder adds what the delivery-status part lacks: the command, the remote host and the
full reply.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..message import Mail
from . import vendor

NAME = "courier"

_STOP = re.compile(r"^-{20,}")
_HOST = re.compile(r"^([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])(?:[ \t]{1,4}\[[0-9A-Fa-f.:]{2,45}\])?:$")


def matches(mail: Mail) -> bool:
    """From a daemon, with "running the Courier mail server" in the opening lines."""
    return vendor.from_daemon(mail) and vendor.marked(NAME, vendor.head(mail, 600))


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<address>:`` block, with the transcript's command and reply."""
    rows = vendor.lines(mail)
    start = next((i for i, row in enumerate(rows) if "UNDELIVERABLE MAIL" in row or "DELAYED MAIL" in row), 0)
    out: list[Facts] = []
    for addr, block in vendor.angle_blocks(rows[start + 1 :], _STOP):
        command, reply = vendor.transcript(block)
        host = next((m.group(1).lower() for m in map(_HOST.match, block[:2]) if m), None)
        text = reply or " ".join(r for r in block if not _HOST.match(r))
        out.append(vendor.facts(addr, text or None, command=command, remote=host))
    return out
