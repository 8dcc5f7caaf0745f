"""fml mailing-list manager (``X-MLServer: fml ...``): error notices about a list, such as a loop
alert for a duplicated Message-ID or a post from a non-member::

    Duplicated Message-ID in <list@example.org>.

    NOT MEMBER article from bob@example.net
    You are not a member of this mailing list <list@example.org>.

The address the notice names in angle brackets is the recipient that could not be served; the
notice's fixed sentence names the reason.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, markers, views
from ._shared.gate import Gate

NAME = "fml"

_NAMED = re.compile(r"<(" + address(r"[^\s<>@]", r"[^\s<>]", path=True) + r")>")

GATE = Gate(headers=frozenset({"x-mlserver", "list-software"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """An ``X-MLServer``/``List-Software`` header of fml, and one of its error notices."""
    software = (mail.header("x-mlserver") + " " + mail.header("list-software")).lower()
    return "fml" in software and markers.marked(NAME, mail.subject + "\n" + views.head(mail, 600))


def decode(mail: Mail) -> list[Facts]:
    """One fact for the address the notice names in angle brackets (else the first one it
    names), with the notice's reason."""
    rows = [r.strip() for r in views.lines(mail) if r.strip()][:8]
    named = [(m.group(1), row) for row in rows for m in _NAMED.finditer(row)]
    named += [(a, row) for row in rows for a in addresses.find_all(row)]
    reason = markers.reason_table(NAME).first(mail.subject + "\n" + "\n".join(rows))
    for candidate, row in named:
        addr = addresses.normalize(candidate)
        if addr:
            f = blocks.facts(addr, row)
            f.reason = reason
            return [f]
    return []
