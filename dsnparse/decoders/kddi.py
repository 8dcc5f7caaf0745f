"""KDDI / au one net (dion.ne.jp, auone-net.jp): a short notice, optionally preceded by a
Japanese summary::

    Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900
         Could not be delivered to: <bob@example.ne.jp>
         As their mailbox is full.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "kddi"

_TO = re.compile(r"(?i)^[ \t]{0,8}could not be delivered to:[ \t]{0,4}<?(" + PATH_ADDRESS + r")>?")
_DOMAINS = ("dion.ne.jp", "auone-net.jp")


def matches(mail: Mail) -> bool:
    """From or Message-ID in KDDI's domains, with the "Your mail sent on:" notice."""
    ids = (mail.sender + " " + mail.header("message-id").lower()).replace(">", "")
    return any(d in ids for d in _DOMAINS) and markers.head_marked(mail, NAME, 1500)


def decode(mail: Mail) -> list[Facts]:
    """The "Could not be delivered to" addresses; the notice's text is their diagnostic."""
    rows = views.lines(mail)
    text = " ".join(r.strip() for r in rows if r.strip())
    out: dict[str, Facts] = {}
    for i, row in enumerate(rows):
        m = _TO.match(row)
        addr = addresses.normalize(m.group(1)) if m else None
        if not addr or addr.lower() in out:
            continue
        detail = " ".join(r.strip() for r in rows[i + 1 : i + 4] if r.strip() and not _TO.match(r))
        f = blocks.facts(addr, detail or None)
        f.reason = markers.reason_table(NAME).first(text)
        out[addr.lower()] = f
    if not out:
        reason = markers.reason_table(NAME).first(text)
        if reason is None:
            return []
        f = blocks.facts(None, text)
        f.reason = reason
        return [f]
    return list(out.values())
