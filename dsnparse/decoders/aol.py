"""AOL: the ``Undeliverable:`` report of ``Postmaster@AOL.com`` (an HTML notice and a DSN part,
recipient groups not always separated by blank lines), AOL's Postfix-style reports, and the old
reports that name AOL members by screen name only.

The DSN reader gives the recipients; the Postfix-style text, when there is one, adds the SMTP
command and remote host. AOL's old template lists screen names, one a line, under "Mail to the
following recipients could not be delivered" (or says "<name> is not accepting mail"): a screen
name is the member's address at aol.com (as flufl.bounce's AOL detector documents the format).
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views
from ._shared.gate import Gate

NAME = "aol"

# a screen name alone on a line (AOL's are 3 to 16 letters, digits and spaces, the spaces not
# part of the address), or leading AOL's "is not accepting mail" sentence
_SCREEN_NAME = re.compile(r"^[ \t]{0,8}([A-Za-z][A-Za-z0-9]{0,15}(?: [A-Za-z0-9]{1,15}){0,3})[ \t]{0,8}$")
_NOT_ACCEPTING = re.compile(r"(?i)^[ \t]{0,8}([a-z][a-z0-9._-]{2,31})[ \t]{1,4}is not accepting mail\b")

GATE = Gate(sender=("postmaster@aol.com", "mailer-daemon@aol.com"))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """A report from AOL's postmaster or mailer-daemon."""
    return "postmaster@aol.com" in mail.sender or "mailer-daemon@aol.com" in mail.sender


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<ADDR>:`` block of the text part, else per listed screen name."""
    return blocks.block_facts(mail) or _screen_names(views.lines(mail))


def _member(row: str, spaces: bool) -> str | None:
    """The address a row of the screen-name list names: an address, or a screen name (with
    spaces only when ``spaces``) at aol.com."""
    bare = blocks.bare_address(row)
    if bare:
        return bare
    m = _SCREEN_NAME.match(row)
    if not m or (" " in m.group(1) and not spaces) or len(m.group(1).replace(" ", "")) < 3:
        return None
    return addresses.normalize(m.group(1).replace(" ", "") + "@aol.com")


def _screen_names(rows: list[str]) -> list[Facts]:
    """Facts of the screen names listed under AOL's lead sentence (which may run over lines;
    the list ends at the first blank line or line that names no one), and of the names in its
    "is not accepting mail" sentences."""
    found: dict[str, Facts] = {}
    state, lead = "", ""
    for row in rows:
        refused = _NOT_ACCEPTING.match(row)
        addr = addresses.normalize(f"{refused.group(1)}@aol.com") if refused else None
        if addr:
            found.setdefault(addr.lower(), blocks.facts(addr, row.strip()))
        elif markers.marked("aol_screen_names", row):
            state, lead = "lead", row.strip()
        elif state == "lead" and row.strip() and not _member(row, spaces=False):
            lead += " " + row.strip()
        elif state and row.strip():
            named = _member(row, spaces=True)
            if named is None:
                state = ""
            else:
                state = "list"
                found.setdefault(named.lower(), blocks.facts(named, lead))
        elif state == "list":
            state = ""  # the blank line after the list
        elif state == "lead":
            state = "after lead"
    return list(found.values())
