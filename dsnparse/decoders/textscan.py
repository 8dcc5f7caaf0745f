"""Small helpers the gateway decoders share: facts from a recipient and its diagnostic text
(status, reply code, the SMTP command it names via :mod:`.smtptext`, the vendor's own reason
wording via :mod:`.vendor` and ``data/vendor_reasons.toml``), the remote host, a quick look at
the first lines.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..standard.dsn import join_reply
from . import smtptext
from .vendor import reason as vendor_reason

# "host mx.example.net [192.0.2.1]", "mx.example.net[192.0.2.1]": a named remote host
_HOST = re.compile(r"(?i)\b([a-z0-9](?:[a-z0-9-]{0,62}\.){1,8}[a-z]{2,63})[ \t]?\[(\d{1,3}(?:\.\d{1,3}){3})\]")


def remote_host(text: str | None) -> str | None:
    """The first ``host[ip]`` pair named in a text, as the host name."""
    m = _HOST.search(text or "")
    return m.group(1).lower() if m else None


def make(vendor: str, recipient: str | None, diagnostic: str | None, **values: str | None) -> Facts:
    """Facts for one recipient: diagnostic unfolded, status, reply code, command and the
    vendor's reason read from it (explicit ``values`` win)."""
    diag = join_reply(diagnostic) if diagnostic else ""
    facts = Facts(recipient=addresses.normalize(recipient), diagnostic=diag or None, recipient_source="text")
    for name, value in values.items():
        setattr(facts, name, value)
    facts.status = facts.status or find_status(diag)
    facts.reply_code = facts.reply_code or find_reply_code(diag)
    facts.smtp_command = facts.smtp_command or smtptext.smtp_command(diag)
    facts.reason = facts.reason or vendor_reason(vendor, diag)
    return facts


def received_has(mail: Mail, needle: str) -> bool:
    """True when one of the bounce's own Received headers contains ``needle`` (lower-case)."""
    return any(needle in str(v).lower() for v in mail.message.get_all("received", []))


def head(mail: Mail, size: int = 2000) -> str:
    """The first characters of the bounce's text, lower-cased: the cheap look at its first lines."""
    return mail.body[:size].lower()


def unique(facts: list[Facts]) -> list[Facts]:
    """Facts with a recipient, each recipient once (the first wins, later ones fill it)."""
    out: dict[str, Facts] = {}
    for f in facts:
        if not f.recipient:
            continue
        key = f.recipient.lower()
        if key in out:
            out[key].fill(f)
        else:
            out[key] = f
    return list(out.values())
