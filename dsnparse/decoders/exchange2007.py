"""Microsoft Exchange 2007 and later, Office 365 / Exchange Online and Outlook.com.

The human part ends with a "Diagnostic information for administrators" block (localised with the
rest of the report) that lists each recipient on a line of its own, followed by the remote host
and the server's reply, quoted::

    Diagnostic information for administrators:
    Generating server: mail.example.org
    bob@example.net
    mx.example.net
    Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'

Older versions write the reply as ``#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##`` or
``#< #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found> #SMTP#``.
The component codes (``RESOLVER.ADR.RecipNotFound``, ``QUEUE.Expired``...) name the reason.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from . import vendor

NAME = "exchange2007"

_BARE_ADDRESS = re.compile(r"^[ \t]{0,8}<?(\S{1,254}@\S{1,254}?)>?[ \t]{0,8}$")
_QUOTED_REPLY = re.compile(r"'([245]\d\d[ -][^'\n]{1,1000})'")
_HASH_REPLY = re.compile(r"#([245]\d\d[ -].{1,1000}?)(?:##|$)")
# Exchange 2010 and later quote the status, then the reply: ``#< #5.1.1 smtp;550 5.1.1 ...> #SMTP#``.
_SMTP_REPLY = re.compile(r"<[ \t]{0,2}#([245]\.\d{1,3}\.\d{1,3})[ \t]{1,4}smtp;[ \t]{0,4}([^>\n]{1,1000})>")
_HOST_LINE = re.compile(r"^[ \t]{0,8}([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})[ \t]{0,8}$")
_REMOTE_AT = re.compile(r"(?i)remote server at[ \t]{1,4}([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])")
_END = re.compile(r"(?i)^original message headers:|^[ \t]{0,4}received:[ \t]")


def matches(mail: Mail) -> bool:
    """The administrators' diagnostic block heading (in any of the languages Exchange uses)."""
    return vendor.marked(NAME, vendor.text(mail)[:8000])


def _block_facts(addr: str, rows: list[str]) -> Facts:
    joined = "\n".join(rows)
    quoted = _SMTP_REPLY.search(joined)
    reply = quoted.group(2) if quoted else None
    if reply is None:
        quoted = _QUOTED_REPLY.search(joined) or _HASH_REPLY.search(joined)
        reply = quoted.group(1) if quoted else None
    remote = _REMOTE_AT.search(joined)
    host = remote.group(1).lower() if remote else None
    if host is None:
        host = next((m.group(1).lower() for m in map(_HOST_LINE.match, rows) if m), None)
    f = vendor.facts(addr, reply.strip() if reply else (" ".join(rows) or None), remote=host)
    if f.status is None and quoted is not None and quoted.re is _SMTP_REPLY:
        f.status = quoted.group(1)
    f.reason = vendor.reason(NAME, f.diagnostic)
    return f


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient line of the administrators' block."""
    rows = vendor.text(mail).split("\n")
    start = next((i for i, row in enumerate(rows) if vendor.marked(NAME, row)), None)
    if start is None:
        return []
    found: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for row in rows[start + 1 :]:
        if _END.search(row):
            break
        m = _BARE_ADDRESS.match(row)
        addr = addresses.normalize(m.group(1)) if m else None
        if addr:
            if addr.lower() in found:
                current = None
                continue
            current = []
            found[addr.lower()] = (addr, current)
        elif current is not None and row.strip():
            current.append(row.strip())
    return [_block_facts(addr, block) for addr, block in found.values()]
