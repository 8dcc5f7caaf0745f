"""Small helpers the gateway decoders share: facts from a recipient and its diagnostic text,
the SMTP command a sentence names, and a vendor's own reason wording (``data/gateway_reasons.toml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import any_of, load_toml
from ..standard.dsn import join_reply

# "in reply to RCPT TO command", "after RCPT TO:<a@b>", "Sent <<< RCPT TO:", "SMTP command: DATA"
_COMMAND = re.compile(
    r"(?i)(?:in reply to|in response to|after|while sending|during|sent <<<|>>>|command:?)[ \t]{1,4}"
    r"(?:the[ \t]{1,4})?(RCPT[ \t]TO|MAIL[ \t]FROM|DATA|end[ \t]of[ \t]data|HELO|EHLO|STARTTLS|AUTH|BDAT)\b"
)
_COMMAND_NAMES = {"rcpt to": "RCPT", "mail from": "MAIL", "data": "DATA", "end of data": "DATA",
                  "helo": "HELO", "ehlo": "EHLO", "starttls": "STARTTLS", "auth": "AUTH", "bdat": "DATA"}
# "host mx.example.net [192.0.2.1]", "mx.example.net[192.0.2.1]": a named remote host
_HOST = re.compile(r"(?i)\b([a-z0-9](?:[a-z0-9-]{0,62}\.){1,8}[a-z]{2,63})[ \t]?\[(\d{1,3}(?:\.\d{1,3}){3})\]")


def smtp_command(text: str | None) -> str | None:
    """The SMTP command a report sentence names (``RCPT``, ``MAIL``, ``DATA``, ``HELO``...)."""
    if not text:
        return None
    m = _COMMAND.search(text)
    if not m:
        return None
    return _COMMAND_NAMES.get(" ".join(m.group(1).lower().split()))


def remote_host(text: str | None) -> str | None:
    """The first ``host[ip]`` pair named in a text, as the host name."""
    m = _HOST.search(text or "")
    return m.group(1).lower() if m else None


@lru_cache(maxsize=1)
def _vendor_tables() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    data = load_toml("gateway_reasons.toml")
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for vendor, table in data.items():
        if isinstance(table, dict):
            out[vendor] = [(str(reason), any_of([str(p) for p in phrases])) for reason, phrases in table.items()
                           if isinstance(phrases, list)]
    return out


def vendor_reason(vendor: str, text: str | None) -> str | None:
    """The reason a vendor's own wording states outright (first matching row of its table)."""
    if not text:
        return None
    for reason, matcher in _vendor_tables().get(vendor, []):
        if matcher.search(text):
            return reason
    return None


def make(vendor: str, recipient: str | None, diagnostic: str | None, **values: str | None) -> Facts:
    """Facts for one recipient: diagnostic unfolded, status, reply code, command and the
    vendor's reason read from it (explicit ``values`` win)."""
    diag = join_reply(diagnostic) if diagnostic else ""
    facts = Facts(recipient=addresses.normalize(recipient), diagnostic=diag or None, recipient_source="text")
    for name, value in values.items():
        setattr(facts, name, value)
    facts.status = facts.status or find_status(diag)
    facts.reply_code = facts.reply_code or find_reply_code(diag)
    facts.smtp_command = facts.smtp_command or smtp_command(diag)
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
