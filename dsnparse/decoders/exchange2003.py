"""Microsoft Exchange 5.5 to 2003 (Internet Mail Service).

The report says which recipients the message "did not reach", one paragraph each: the address
with a date, the reason in words and an ``MSEXCH:`` diagnostic whose hexadecimal code names the
reason outright::

    did not reach the following recipient(s):

    bob@example.net on Tue, 3 Mar 2009 10:00:00 +0000
        The recipient name is not recognized
        MSEXCH:IMS:Example:SITE:SERVER 0 (000C05A6) Unknown Recipient

Exchange 2000/2003 SMTP write the same paragraphs under "The following recipient(s) could not be
reached:", ending with the remote host and status: ``<mx.example.net #5.1.1>``.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "exchange2003"

_RECIPIENT = re.compile(r"^[ \t]{0,12}(" + address(r"\S", path=True) + r")[ \t]{1,4}on[ \t]")
# Exchange 2000/2003 name the host that refused and the status: ``<mx.example.net #5.1.1>``.
_HOST_STATUS = re.compile(r"<([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])[ \t]{1,4}#[245]\.\d{1,3}\.\d{1,3}>")


def matches(mail: Mail) -> bool:
    """From a daemon, with "did not reach the following recipient(s):" near the top."""
    return markers.daemon_marked(mail, NAME, 800)


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient paragraph, with the reason from its MSEXCH code."""
    rows = views.lines(mail)
    start = next((i for i, row in enumerate(rows) if markers.marked(NAME, row)), len(rows))
    out: list[Facts] = []
    seen: set[str] = set()
    for i in range(start + 1, len(rows)):
        m = _RECIPIENT.match(rows[i])
        addr = addresses.normalize(m.group(1)) if m else None
        if not addr or addr.lower() in seen:
            continue
        seen.add(addr.lower())
        block: list[str] = []
        for row in rows[i + 1 :]:
            if not row.strip() or _RECIPIENT.match(row):
                break
            block.append(row.strip())
        host = _HOST_STATUS.search(" ".join(block))
        f = blocks.facts(addr, " ".join(block) or None, remote_mta=host.group(1).lower() if host else None)
        f.reason = markers.reason_table(NAME).first(f.diagnostic)
        out.append(f)
    return out
