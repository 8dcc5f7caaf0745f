"""An unnamed MTA ("x3") that writes a boxed notice with bulleted recipients and a "Technical
details" section holding the SMTP exchange::

    Delivery to the following recipients failed permanently:
       * bob@example.net
    Technical details:
    SMTP:RCPT host 192.0.2.8: 553 5.3.0 <bob@example.net>... No such user here
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "x3"

_BULLET = re.compile(r"^[ \t]{0,8}\*[ \t]{1,8}<?(" + PATH_ADDRESS + r")>?[ \t]{0,8}$", re.M)
_DETAIL = re.compile(
    r"^[ \t]{0,8}SMTP:([A-Za-z]{4})[ \t]{1,4}host[ \t]{1,4}([A-Za-z0-9][A-Za-z0-9.:-]{0,253}):[ \t]{1,4}(.{1,1000})$",
    re.M,
)
_COMMANDS = {"rcpt": "RCPT", "mail": "MAIL", "data": "DATA", "helo": "HELO", "ehlo": "EHLO", "conn": "CONN"}


def matches(mail: Mail) -> bool:
    """From a daemon, with the "failed permanently" sentence followed by bulleted addresses."""
    if not views.machine_report(mail):
        return False
    return markers.head_marked(mail, NAME, 1200) and _BULLET.search(views.head(mail, 1200)) is not None


def decode(mail: Mail) -> list[Facts]:
    """One fact per bulleted address; the technical detail naming it (or the only one) is its
    diagnostic."""
    text = "\n".join(views.lines(mail))
    details = list(_DETAIL.finditer(text))
    out: dict[str, Facts] = {}
    for m in _BULLET.finditer(text):
        addr = addresses.normalize(m.group(1))
        if not addr or addr.lower() in out:
            continue
        detail = next((d for d in details if addr.lower() in d.group(3).lower()), None)
        if detail is None and len(details) == 1:
            detail = details[0]
        if detail is None:
            out[addr.lower()] = blocks.facts(addr, None)
            continue
        command = _COMMANDS.get(detail.group(1).lower())
        remote = detail.group(2).lower()
        out[addr.lower()] = blocks.facts(addr, detail.group(3).strip(), smtp_command=command, remote_mta=remote)
    return list(out.values())
