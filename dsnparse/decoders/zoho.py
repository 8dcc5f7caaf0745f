"""Zoho Mail: one line per recipient, ``ADDR <verdict>, ERROR_CODE :<reply code>, ERROR_CODE :<text>``
(``ERROR_DESCRIPTION :<text>`` in newer reports, the verdict may be missing).

The returned message's headers follow the explanation without a separating blank line, so the
decoder reads only the recipient lines, never the quoted headers below them.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, markers
from ._shared.gate import Gate

NAME = "zoho"

_LINE = re.compile(
    r"(?m)^[ \t]{0,4}(" + address(r"[^\s,<>@]") + r")[ \t]{0,4}([^,\n]{0,80}),[ \t]{0,2}ERROR_CODE[ \t]{0,2}:"
    r"[ \t]{0,2}(\d{3})?[ \t]{0,2},[ \t]{0,2}ERROR_(?:CODE|DESCRIPTION)[ \t]{0,2}:[ \t]{0,2}([^\n]{0,1000})$"
)

GATE = Gate(sender=("zoho",), headers=frozenset({"x-mailer"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """Zoho's own report: its mailer-daemon (people's mail from Zoho carries the same X-Mailer)."""
    if "mailer-daemon@" not in mail.sender:
        return False
    return "zoho" in mail.sender or "zoho mail" in mail.header("x-mailer").lower()


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``ERROR_CODE`` line: reply code, then the remote text or Zoho's verdict; Zoho's
    own texts give the reason (``data/decoder_reasons.toml`` [zoho])."""
    table = markers.reason_table("zoho")
    out: list[Facts] = []
    for m in _LINE.finditer(mail.report_text):
        addr = addresses.normalize(m.group(1))
        if not addr or addresses.is_system(addr) or any(f.recipient == addr for f in out):
            continue
        code, text, verdict = m.group(3) or "", m.group(4).strip(" \t,"), m.group(2).strip()
        reply = f"{code} {text}".strip() if text else f"{code} {verdict}".strip()
        if text and verdict:
            reply = f"{reply} ({verdict})"
        facts = blocks.facts(addr, reply, read=True)
        facts.reason = table.find(text)
        out.append(facts)
    return out
