"""SurfControl E-mail Filter (Websense): "Addressed To: rcpt" and, per attempt,
"Failed to send to identified host, rcpt: [ip], reply". A delivery-status part follows.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address, token
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "surfcontrol"

_FAILED = re.compile(
    r"(?im)^(" + address(r"[^\s:<>]") + r"):[ \t]{0,4}\[([0-9a-f.:]{3,45})\],[ \t]{0,4}(.{1,1000})$"
)
_ADDRESSED = re.compile(r"(?im)^addressed to:[ \t]{0,8}<?(" + token(r"[^\s<>]") + r")>?[ \t]*$")

GATE = Gate(headers=frozenset({"x-mailer", "x-sef-processed"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """Its X-Mailer or its ``X-SEF-Processed`` header."""
    return "surfcontrol" in mail.header("x-mailer").lower() or "x-sef-processed" in mail.header_names


def decode(mail: Mail) -> list[Facts]:
    """Each failed attempt's recipient, remote host address and reply (else the addressees of a
    message it says could not be sent). The filter stamps its headers on all mail it passes, so
    an ordinary message yields nothing here."""
    text = mail.report_text
    out = [
        blocks.facts(addresses.normalize(m.group(1)), m.group(3), remote_mta=m.group(2), reasons=NAME)
        for m in _FAILED.finditer(text)
    ]
    if not out and "your message could not be sent" in text.lower():
        out = [blocks.facts(addresses.normalize(m.group(1)), None, reasons=NAME) for m in _ADDRESSED.finditer(text)]
    return blocks.unique(out)
