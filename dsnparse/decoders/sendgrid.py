"""SendGrid: ``This is an automatically generated message from SendGrid.`` and one line per
recipient, ``LOCAL:ID:<ADDR> : source IP : remote host:[IP] : reply in COMMAND``, with a DSN
part whose ``Action: expired`` marks a message SendGrid gave up retrying.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import ANGLE_ADDRESS
from ..message import Mail
from ..standard.dsn import parse_groups
from ._shared import blocks, views

NAME = "sendgrid"

_INTRO = "automatically generated message from sendgrid"
_LINE = re.compile(
    r"(?m)^[^\s:<>]{0,64}:\d{0,20}:" + ANGLE_ADDRESS + r"[ \t]{0,2}:[ \t]{0,2}([^\n]{1,2000})$"
)
_REMOTE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9.-]{0,253}\.[A-Za-z]{2,63}):\[")


def matches(mail: Mail) -> bool:
    """SendGrid's notice sentence in the first lines of the text."""
    return _INTRO in views.head(mail, 400, body=True)


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient line; the last `` : ``-separated field is the reply."""
    expired = {
        (addresses.normalize(g.get("final-recipient")) or "").lower()
        for text in mail.dsn_texts
        for g in parse_groups(text)
        if g.get("action", "").strip().lower() == "expired"
    }
    out: list[Facts] = []
    for m in _LINE.finditer(mail.report_text):
        addr = addresses.normalize(m.group(1))
        if not addr or any(f.recipient == addr for f in out):
            continue
        fields = [p.strip() for p in m.group(2).split(" : ")]
        facts = blocks.facts(addr, fields[-1], read=True)
        for field in fields[:-1]:
            remote = _REMOTE.match(field)
            if remote:
                facts.remote_mta = remote.group(1).lower()
        if addr.lower() in expired:
            facts.reason = "expired"
        out.append(facts)
    return out
