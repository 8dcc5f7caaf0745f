"""Verizon Wireless MMS gateway (vzwpix.com): a short notice, then the original message's
envelope lines under "Original Message:"::

    Message could not be delivered to mobile.
    Error: No valid recipients for this MM

    Original Message:
    From: Alice <alice@example.com>
    To: 5555550100@vzwpix.com

The recipient is the original message's To line (a header, not its body).
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "verizon"

_ORIGINAL = re.compile(r"(?i)^[ \t]{0,4}original message:[ \t]{0,4}$")
_TO = re.compile(r"(?i)^[ \t]{0,4}to:[ \t]{0,4}(.{1,1000})$")


def matches(mail: Mail) -> bool:
    """From a daemon, with the MMS gateway's opening sentence."""
    return markers.daemon_marked(mail, NAME, 300)


def decode(mail: Mail) -> list[Facts]:
    """One fact per address on the original message's To line."""
    rows = views.text(mail).split("\n")
    cut = next((i for i, row in enumerate(rows) if _ORIGINAL.match(row)), len(rows))
    notice = " ".join(r.strip() for r in rows[:cut] if r.strip()) or None
    recipients: list[str] = []
    for row in rows[cut + 1 : cut + 12]:
        m = _TO.match(row)
        if m:
            recipients = addresses.find_all(m.group(1))
            break
    out: list[Facts] = []
    for addr in dict.fromkeys(recipients) or [None]:
        f = blocks.facts(addr, notice, source="original-to")
        f.reason = markers.reason_table(NAME).first(notice)
        out.append(f)
    return out
