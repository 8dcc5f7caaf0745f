"""Mail.Ru: an Exim report written twice, in Russian then in English.

Each recipient is indented by two spaces, its explanation by four
(``SMTP error from remote mail server after RCPT TO:<ADDR>:`` / ``host H [IP]: 550 ...``);
the returned message follows ``------ This is a copy of the message``. The second (English)
copy of a block repeats the first and is skipped.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "mailru"

_RECIPIENT = re.compile(r" {2}(" + address(r"[^\s<>@]") + r")[ \t]*$")
_DOMAINS = ("@mail.ru", ".mail.ru", "@corp.mail.ru")

GATE = Gate(sender=_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The mailer-daemon of Mail.Ru."""
    return "mailer-daemon@" in mail.sender and any(d in mail.sender for d in _DOMAINS)


def decode(mail: Mail) -> list[Facts]:
    """One fact per indented recipient block."""
    return blocks.block_facts(mail, _RECIPIENT)
