"""Apple / iCloud mail servers: a Postfix-style report (often behind a Symantec gateway) with a DSN.

The DSN gives recipients and status; the text's ``<ADDR>: 550 5.1.6 ...`` blocks add the
SMTP command and remote host when the text names them.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "apple"

_DOMAINS = (".apple.com", "@apple.com", "@icloud.com", ".icloud.com", "@me.com", "@mac.com")

GATE = Gate(sender=_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The mailer-daemon of an Apple or iCloud mail server."""
    return "mailer-daemon@" in mail.sender and any(d in mail.sender for d in _DOMAINS)


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<ADDR>:`` block of the text part."""
    return blocks.block_facts(mail)
