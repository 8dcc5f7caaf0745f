"""Ipswitch IMail Server (``X-Mailer: <SMTP32 v...>``).

Each failure is one line, a fixed phrase then the address, optionally followed by the remote
server's reply::

    Unknown user: bob@example.net
    Body of message generated response:
    550 5.1.1 Requested action not taken: mailbox unavailable

    Original message follows.

The phrase before the address names the reason.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, views
from ._shared.gate import Gate

NAME = "imailserver"

_LINE = re.compile(r"^([A-Za-z][^:@\n]{2,80}):[ \t]{0,4}<?(" + PATH_ADDRESS + r")>?[ \t]{0,4}$")
_RESPONSE = re.compile(r"(?i)^(?:body of message generated response|smtp error)[^:\n]{0,40}:")

GATE = Gate(headers=frozenset({"x-mailer"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """IMail's X-Mailer (``<SMTP32 v...>``) on a report from a daemon ("Undeliverable Mail")."""
    return mail.header("x-mailer").lower().startswith("<smtp32 v") and views.machine_report(mail)


def decode(mail: Mail) -> list[Facts]:
    """One fact per "<phrase>: <address>" line, with the reply that follows it."""
    rows = views.lines(mail)
    out: dict[str, Facts] = {}
    for i, row in enumerate(rows):
        m = _LINE.match(row.strip())
        addr = addresses.normalize(m.group(2)) if m else None
        if not m or not addr or addr.lower() in out:
            continue
        phrase = m.group(1).strip()
        reply: list[str] = []
        following = rows[i + 1 : i + 8]
        if following and _RESPONSE.match(following[0].strip()):
            for extra in following[1:]:
                if not extra.strip() or _LINE.match(extra.strip()):
                    break
                reply.append(extra.strip())
        f = blocks.facts(addr, " ".join([phrase, *reply]))
        f.reason = markers.reason_table(NAME).first(phrase)
        out[addr.lower()] = f
    return list(out.values())
