"""An unnamed Japanese MTA ("x1"): each failed address on one line with the reason in brackets::

---The following addresses had delivery errors---

bob@example.net [User unknown]
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "x1"

_LINE = re.compile(r"^[ \t]{0,8}<?(" + PATH_ADDRESS + r")>?[ \t]{1,8}\[([^\]\n]{1,500})\][ \t]{0,8}$")


def matches(mail: Mail) -> bool:
    """From a daemon, with the "---The following addresses had delivery errors---" banner."""
    return markers.daemon_marked(mail, NAME, 800)


def decode(mail: Mail) -> list[Facts]:
    """One fact per "address [reason]" line below the banner."""
    out: dict[str, Facts] = {}
    below = False
    for row in views.lines(mail):
        if markers.marked(NAME, row):
            below = True
            continue
        m = _LINE.match(row) if below else None
        addr = addresses.normalize(m.group(1)) if m else None
        if m and addr and addr.lower() not in out:
            out[addr.lower()] = blocks.facts(addr, m.group(2).strip())
    return list(out.values())
