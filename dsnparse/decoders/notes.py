"""Lotus Notes / HCL Domino.

Two layouts. The Notes SMTP MTA writes the reason above the address::

    ------- Failure Reasons  --------
    User not listed in public Name & Address Book
    bob@example.net
    ------- Returned Message --------

Domino writes the recipient and the reason as separate paragraphs::

    Your message
      Subject: Quarterly figures
    was not delivered to:
      bob@example.net
    because:
      User Bob (bob@example.net) not listed in Domino Directory
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "notes"

_RETURNED = re.compile(r"(?i)^-{3,} ?returned message ?-{3,}")
_BECAUSE = re.compile(r"(?i)^[ \t]{0,8}because:[ \t]{0,8}$")
_NOT_DELIVERED = re.compile(r"(?i)^[ \t]{0,8}was not delivered to:[ \t]{0,8}$")


def matches(mail: Mail) -> bool:
    """From a daemon, with the "Failure Reasons" banner or Domino's "was not delivered to:"."""
    if not views.machine_report(mail):
        return False
    return markers.head_marked(mail, NAME, 800) or markers.head_marked(mail, "domino", 800)


def _failure_reasons(rows: list[str]) -> list[Facts]:
    out: list[Facts] = []
    reason_rows: list[str] = []
    for row in rows:
        if _RETURNED.search(row):
            break
        addr = blocks.bare_address(row)
        if addr and all(addr.lower() != (f.recipient or "").lower() for f in out):
            diagnostic = " ".join(reason_rows) or None
            f = blocks.facts(addr, diagnostic)
            f.reason = markers.reason_table(NAME).first(diagnostic)
            out.append(f)
            reason_rows = []
        elif row.strip() and not row.startswith("-------"):
            reason_rows.append(row.strip())
    return out


def _paragraph(rows: list[str], start: int) -> list[str]:
    out: list[str] = []
    for row in rows[start:]:
        if not row.strip():
            if out:
                break
            continue
        out.append(row.strip())
    return out


def _domino(rows: list[str]) -> list[Facts]:
    where = next((i for i, row in enumerate(rows) if _NOT_DELIVERED.match(row)), None)
    if where is None:
        return []
    because = next((i for i, row in enumerate(rows) if i > where and _BECAUSE.match(row)), None)
    diagnostic = " ".join(_paragraph(rows, because + 1)) if because is not None else None
    out: list[Facts] = []
    for row in _paragraph(rows, where + 1):
        addr = blocks.bare_address(row)
        if addr and all(addr.lower() != (f.recipient or "").lower() for f in out):
            f = blocks.facts(addr, diagnostic or None)
            f.reason = markers.reason_table(NAME).first(diagnostic)
            out.append(f)
    return out


def decode(mail: Mail) -> list[Facts]:
    """Facts from whichever of the two layouts the report uses."""
    rows = views.text(mail).split("\n")
    return _failure_reasons(rows) if markers.marked(NAME, "\n".join(rows[:40])) else _domino(rows)
