"""BIGLOBE (biglobe.ne.jp): addresses and the reason in two banner-headed sections::

   ----- The following addresses had delivery problems -----
bob@example.ne.jp

   ----- Non-delivered information -----
The number of messages in recipient's mailbox exceeded the local limit.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views
from ._shared.gate import Gate

NAME = "biglobe"

_BANNER = re.compile(r"^[ \t]{0,8}-{3,}[ \t]{1,4}(.{1,80}?)[ \t]{1,4}-{3,}[ \t]{0,8}$")

GATE = Gate(sender=("biglobe.ne.jp",))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """From biglobe.ne.jp, with the "had delivery problems" banner."""
    return mail.sender.rstrip(">").endswith("biglobe.ne.jp") and markers.head_marked(mail, NAME, 800)


def decode(mail: Mail) -> list[Facts]:
    """The addresses of the first section, each with the text of the second."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for row in views.lines(mail):
        m = _BANNER.match(row)
        if m:
            current = sections.setdefault(m.group(1).lower(), [])
        elif current is not None and row.strip():
            current.append(row.strip())
    listed = next((v for k, v in sections.items() if "addresses" in k), [])
    diagnostic = " ".join(next((v for k, v in sections.items() if "information" in k), [])) or None
    out: dict[str, Facts] = {}
    for row in listed:
        addr = blocks.bare_address(row)
        if addr and addr.lower() not in out:
            f = blocks.facts(addr, diagnostic)
            f.reason = markers.reason_table(NAME).first(diagnostic)
            out[addr.lower()] = f
    return list(out.values())
