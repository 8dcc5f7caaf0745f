"""fml mailing-list manager (``X-MLServer: fml ...``): error notices about a list, such as a loop
alert for a duplicated Message-ID or a post from a non-member::

    Duplicated Message-ID in <list@example.org>.

The address the notice names in angle brackets is the recipient that could not be served.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from . import vendor

NAME = "fml"

_NAMED = re.compile(r"<(\S{1,254}@[^\s>]{1,254})>")


def matches(mail: Mail) -> bool:
    """An ``X-MLServer``/``List-Software`` header of fml, and one of its error notices."""
    software = (mail.header("x-mlserver") + " " + mail.header("list-software")).lower()
    return "fml" in software and vendor.marked(NAME, mail.subject + "\n" + vendor.head(mail, 600))


def decode(mail: Mail) -> list[Facts]:
    """One fact for the address the notice's first sentence names."""
    rows = [r.strip() for r in vendor.lines(mail) if r.strip()]
    for row in rows[:5]:
        m = _NAMED.search(row)
        addr = addresses.normalize(m.group(1)) if m else None
        if addr:
            f = vendor.facts(addr, row)
            f.reason = vendor.reason(NAME, mail.subject + "\n" + row)
            return [f]
    return []
