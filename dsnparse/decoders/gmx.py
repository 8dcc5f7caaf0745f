"""GMX and mail.com (United Internet): the ``Mail delivery failed: returning message to sender`` layout.

Each failed recipient stands alone on a line (``"ADDR":`` or ``ADDR:``), followed by
``SMTP error from remote server after RCPT command:`` / ``... for TEXT command, host: H (IP)
reason: ...``, the remote host and its reply; the returned message's headers follow
``--- The header of the original message is following. ---``. 1&1 (:mod:`.einsundeins`) writes
the same layout and reuses :func:`read`.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "gmx"

_RECIPIENT = re.compile(r"[ \t]{0,4}\"?<?(" + address(r"[^\s\"<>@]", r"[^\s\"<>:@]") + r")>?\"?:[ \t]*$")
_GMX_DOMAINS = ("@gmx.", "@mail.gmx.", "@mail.com")

GATE = Gate(sender=_GMX_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The mailer-daemon of GMX or mail.com."""
    return "mailer-daemon@" in mail.sender and any(d in mail.sender for d in _GMX_DOMAINS)


def read(mail: Mail) -> list[Facts]:
    """One fact per recipient block of the United Internet layout."""
    return blocks.block_facts(mail, _RECIPIENT)


def decode(mail: Mail) -> list[Facts]:
    """See :func:`read`."""
    return read(mail)
