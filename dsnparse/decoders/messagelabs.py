"""Symantec Email Security.cloud (MessageLabs): "I was unable to deliver your message to the
following addresses:", the recipients one per line, then "Reason: <remote reply>" wrapped over
lines. Its delivery-status part often loses the reply's continuation lines, so the text part is
where the diagnostic is read.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ._shared import blocks, views

NAME = "messagelabs"

_LEAD = "unable to deliver your message to the following addresses"
_REASON = "reason:"
_END = ("the message subject was", "the message date was", "the message identifier was")


def matches(mail: Mail) -> bool:
    """A report from MessageLabs / Email Security.cloud with its opening sentence."""
    head = views.head(mail, 600, body=True).lower()
    signed = "email security.cloud" in head or "messagelabs.com" in mail.sender
    return signed and _LEAD in head


def decode(mail: Mail) -> list[Facts]:
    """Each listed recipient with the reason given below it."""
    rows = views.lines(mail)
    start = next((i for i, row in enumerate(rows) if _LEAD in row.lower()), None)
    if start is None:
        return []
    found: list[Facts] = []
    pending: list[str] = []
    reason: list[str] | None = None
    for row in rows[start + 1 :]:
        low = row.strip().lower()
        if low.startswith(_END):
            break
        if low.startswith(_REASON):
            reason = [row.strip()[len(_REASON) :].strip()]
            continue
        if reason is not None:
            if low:
                reason.append(row.strip())
                continue
            found.extend(blocks.facts(a, " ".join(reason)) for a in pending)
            pending, reason = [], None
            continue
        addr = blocks.bare_address(row)
        if addr:
            pending.append(addr)
    found.extend(blocks.facts(a, " ".join(reason) if reason else None) for a in pending)
    return blocks.unique(found)
