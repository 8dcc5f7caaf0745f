"""Barracuda Spam Firewall: "Your message to: <rcpt> was blocked by our Spam Firewall".

The notice comes with a delivery-status part; the text adds which filter stopped the message.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import token
from ..message import Mail
from ._shared import blocks, views

NAME = "barracuda"

_MESSAGE_TO = re.compile(r"(?im)^[ \t]{0,4}your message to:[ \t]{0,8}(" + token(r"\S") + r")[ \t]*\n(.{0,300})")


def matches(mail: Mail) -> bool:
    """The firewall's subject or its first sentence."""
    subject = mail.subject.lower()
    return (
        "blocked by our bulk email filter" in subject
        or "blocked by our spam firewall" in views.head(mail, 600, body=True)
    )


def decode(mail: Mail) -> list[Facts]:
    """The blocked recipient with the firewall's sentence."""
    out = []
    for m in _MESSAGE_TO.finditer(mail.report_text):
        sentence = m.group(2).strip().split(". ", 1)[0]
        out.append(blocks.facts(addresses.normalize(m.group(1)), sentence, reasons=NAME))
    return blocks.unique(out)
