"""1&1 / IONOS (``kundenserver.de``): the United Internet layout shared with GMX (:mod:`.gmx`).

``ADDR:`` then ``SMTP error from remote server for TEXT command, host: H (IP) reason: 550 ...``.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from . import gmx
from ._shared.gate import Gate

NAME = "einsundeins"

_DOMAINS = ("kundenserver.de", "1and1.", "1und1.", "ionos.")

GATE = Gate(sender=_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The mailer-daemon of 1&1 / IONOS."""
    return "mailer-daemon@" in mail.sender and any(d in mail.sender for d in _DOMAINS)


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient block (see :func:`dsnparse.decoders.gmx.read`)."""
    return gmx.read(mail)
