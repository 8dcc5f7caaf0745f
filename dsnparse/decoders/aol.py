"""AOL: the ``Undeliverable:`` report of ``Postmaster@AOL.com`` (an HTML notice and a DSN part,
recipient groups not always separated by blank lines) and AOL's Postfix-style reports.

The DSN reader gives the recipients; the Postfix-style text, when there is one, adds the SMTP
command and remote host.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ._shared import blocks

NAME = "aol"


def matches(mail: Mail) -> bool:
    """A report from AOL's postmaster or mailer-daemon."""
    return "postmaster@aol.com" in mail.sender or "mailer-daemon@aol.com" in mail.sender


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<ADDR>:`` block of the text part."""
    return blocks.block_facts(mail)
