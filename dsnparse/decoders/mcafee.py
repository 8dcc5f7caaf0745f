"""McAfee Email Gateway (formerly IronMail/NAI): "--- The following addresses had delivery
problems ---" then ``<rcpt>   (reply)`` lines; a delivery-status part (often without Status)
follows. The bounce carries an ``X-NAI-Header: Modified by McAfee ...`` header.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import token
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "mcafee"

_PROBLEM = re.compile(r"(?m)^[ \t]{0,4}<(" + token() + r")>[ \t]{1,20}\((.{1,1000})\)[ \t]*$")

GATE = Gate(headers=frozenset({"x-nai-header"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The appliance's ``X-NAI-Header``."""
    return "mcafee" in mail.header("x-nai-header").lower()


def decode(mail: Mail) -> list[Facts]:
    """Each listed recipient with the reply in parentheses."""
    text = mail.report_text
    start = text.lower().find("the following addresses had delivery problems")
    if start < 0:
        return []
    found = _PROBLEM.finditer(text, start)
    return blocks.unique([blocks.facts(addresses.normalize(m.group(1)), m.group(2), reasons=NAME) for m in found])
