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
from ._shared import blocks, markers, smtp, views

NAME = "courier"

# the headings of Courier's failure and delay templates (courier/module.dsn: "UNDELIVERABLE MAIL",
# "DELAYS IN DELIVERING YOUR MESSAGE"), under which the recipient blocks follow
_HEADINGS = ("UNDELIVERABLE MAIL", "DELAYED MAIL", "DELAYS IN DELIVERING YOUR MESSAGE")
_STOP = re.compile(r"^-{20,}")
_HOST = re.compile(r"^([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])(?:[ \t]{1,4}\[[0-9A-Fa-f.:]{2,45}\])?:$")


def matches(mail: Mail) -> bool:
    """From a daemon, with "running the Courier mail server" in the opening lines."""
    return markers.daemon_marked(mail, NAME, 600)


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<address>:`` block, with the transcript's command and reply."""
    rows = views.lines(mail)
    start = next((i for i, row in enumerate(rows) if any(h in row for h in _HEADINGS)), 0)
    out: list[Facts] = []
    rest = rows[start + 1 :]
    for addr, block in blocks.blocks(rest, blocks.ANGLE_LINE, stop=_STOP, blank_ends=False, skip_system=False):
        command, reply = smtp.transcript(block)
        host = next((m.group(1).lower() for m in map(_HOST.match, block[:2]) if m), None)
        text = reply or " ".join(r for r in block if not _HOST.match(r))
        out.append(blocks.facts(addr, text or None, smtp_command=command, remote_mta=host))
    return out
