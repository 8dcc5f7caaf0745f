"""Microsoft Exchange 5.5 to 2003 (Internet Mail Service).

The report says which recipients the message "did not reach", one paragraph each: the address
with a date, the reason in words and an ``MSEXCH:`` diagnostic whose hexadecimal code names the
reason outright::

    did not reach the following recipient(s):

    bob@example.net on Tue, 3 Mar 2009 10:00:00 +0000
        The recipient name is not recognized
        MSEXCH:IMS:Example:SITE:SERVER 0 (000C05A6) Unknown Recipient

Exchange 2000/2003 SMTP write the same paragraphs under "The following recipient(s) could not be
reached:", ending with the remote host and status: ``<mx.example.net #5.1.1>``.

The recipient, before " on <date>", is written as the Exchange directory knew it: an Internet
address (``bob@example.net``, ``'bob@example.net'``), an X.400 address whose domain-defined
attribute holds it (``c=US;a= ;p=Org;o=Site;dda:SMTP=bob@example.net;``), the host that refused
it and the address (``<mx.example.net> bob@example.net``), or only an X.400 address or display
name (``c=US;a= ;p=Org;o=Site;s=Jones;g=Carla;``, ``Carla Jones``): then the fact has no
recipient and the pipeline takes the returned message's To, as for any report without one.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "exchange2003"

# a recipient line: what names the recipient, then " on " and the date (a weekday or a digit)
_RECIPIENT = re.compile(
    r"^[ \t]{0,12}(\S[^\n]{0,400}?)[ \t]{1,4}on[ \t]{1,4}(?=\d|(?i:mon|tue|wed|thu|fri|sat|sun))"
)
# the Internet address in an X.400 domain-defined attribute: ``dda:SMTP=bob@example.net;``
_DDA_SMTP = re.compile(r"(?i)\bsmtp[=:](" + address(r"[^\s;<>@]", path=True) + ")")
# Exchange 2000/2003 name the host that refused and the status, with the remote reply after it
# when there was one: ``<mx.example.net #5.1.1>``, ``<mx.example.net #5.1.1 smtp;550 5.1.1 ...>``.
_HOST_STATUS = re.compile(
    r"<([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])[ \t]{1,4}#[245]\.\d{1,3}\.\d{1,3}(?:[ \t][^<>\n]{0,400})?>"
)


def matches(mail: Mail) -> bool:
    """From a daemon, with "did not reach the following recipient(s):" near the top."""
    return markers.daemon_marked(mail, NAME, 800)


def _named(head: str) -> str | None:
    """The Internet address a recipient line names (see the module docstring), else None."""
    dda = _DDA_SMTP.search(head)
    if dda:
        return addresses.normalize(dda.group(1))
    found = addresses.find_all(head)
    return found[-1] if len(found) >= 1 and "=" not in head.split("@", 1)[0] else None


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient paragraph, with the reason from its MSEXCH code."""
    rows = views.lines(mail)
    start = next((i for i, row in enumerate(rows) if markers.marked(NAME, row)), len(rows))
    out: list[Facts] = []
    seen: set[str] = set()
    for i in range(start + 1, len(rows)):
        m = _RECIPIENT.match(rows[i])
        if not m:
            continue
        addr = _named(m.group(1))
        if addr and addr.lower() in seen:
            continue
        seen.add((addr or "").lower())
        block: list[str] = []
        for row in rows[i + 1 :]:
            if not row.strip() or _RECIPIENT.match(row):
                break
            block.append(row.strip())
        host = _HOST_STATUS.search(" ".join(block))
        f = blocks.facts(addr, " ".join(block) or None, remote_mta=host.group(1).lower() if host else None)
        f.reason = markers.reason_table(NAME).first(f.diagnostic)
        out.append(f)
    return out
