"""Reading free-text SMTP failure reports: recipient blocks, commands, remote hosts, nested replies.

Shared by the provider decoders whose reports list each failed recipient followed by a few lines
of explanation (Gmail, Yahoo, GMX, 1&1, Mail.ru, Zoho...). Everything here is a pure function of
text; the phrase table of SMTP commands is data (``data/decoders/commands.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import any_of, cut_original, load_toml
from ..standard.dsn import join_reply

# ``host mx.example.net[192.0.2.1] said``, ``host: mx.example.net``, ``host mx.example.net [192.0.2.1]:``
_HOST = re.compile(r"\bhost:?[ \t]{1,4}([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})")
# Where an SMTP reply starts inside a sentence: a reply code not part of a number, an address or a port.
_REPLY_START = re.compile(r"(?<![\w.:/\[-])[245]\d\d(?=[ -]\S)")
# The enhanced status that follows an SMTP reply code: ``550 5.1.1``, ``550-'5.7.1``, ``<421 4.4.2``.
_REPLY_STATUS = re.compile(r"(?<![\d.])([245]\d\d)[ -]'?([245]\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)")


@lru_cache(maxsize=1)
def _commands() -> tuple[re.Pattern[str], dict[str, str]]:
    data = load_toml("decoders/commands.toml").get("commands", {})
    table = {str(k).lower(): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return any_of(list(table)), table


def smtp_command(text: str | None) -> str | None:
    """The SMTP command a failure answered, from phrases such as ``in reply to RCPT TO command``,
    ``after end of data`` or ``[MAIL_FROM]`` (the first one in the text), else None."""
    if not text:
        return None
    pattern, table = _commands()
    m = pattern.search(text)
    return table.get(m.group(0).lower()) if m else None


def remote_host(text: str | None) -> str | None:
    """The remote host named by ``host NAME`` / ``host: NAME`` in a failure text, else None."""
    if not text:
        return None
    m = _HOST.search(text)
    return m.group(1).rstrip(".").lower() if m else None


def last_reply(text: str | None) -> tuple[str, str] | None:
    """Reply code and enhanced status of the last SMTP reply quoted in a text (``... <421 4.4.2
    timed out>`` gives ``("421", "4.4.2")``): the remote server's own verdict, which an MTA may
    wrap in a code of its own."""
    if not text:
        return None
    found = _REPLY_STATUS.findall(text)
    if not found:
        return None
    code, status = found[-1]
    valid = find_status(status)
    return (code, valid) if valid else None


def blocks(lines: Iterable[str], start: re.Pattern[str]) -> list[tuple[str, list[str]]]:
    """Recipient blocks: each line matching ``start`` (whose group 1 is an address) opens a block
    that collects the following non-blank lines, up to the next start line or a blank line after
    some text. Returns ``(address, lines)`` pairs; an address is kept once (its first block) and
    system addresses are skipped."""
    out: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    current: list[str] | None = None
    for line in lines:
        m = start.match(line)
        if m:
            addr = addresses.normalize(m.group(1))
            current = None
            if addr and addr.lower() not in seen and not addresses.is_system(addr):
                seen.add(addr.lower())
                current = [line[m.end() :].strip()] if line[m.end() :].strip() else []
                out.append((addr, current))
            continue
        if current is None:
            continue
        if not line.strip():
            if current:
                current = None
        else:
            current.append(line.strip())
    return out


def join_text(text: str) -> str:
    """A block's text on one line, a multi-line SMTP reply inside it joined from its first reply
    code on (``Remote host said: 550-5.1.1 a 550 5.1.1 b`` -> ``... 550-5.1.1 a b``)."""
    flat = " ".join(text.split())
    m = _REPLY_START.search(flat)
    if not m:
        return flat
    return f"{flat[: m.start()]}{join_reply(flat[m.start() :])}"


def facts(recipient: str, text: str, *, source: str = "text") -> Facts:
    """Facts for one recipient from the text of its block: joined diagnostic, validated status
    and reply code, the SMTP command and the remote host when the text names them."""
    diagnostic = join_text(text) or None
    return Facts(
        recipient=recipient,
        diagnostic=diagnostic,
        status=find_status(diagnostic),
        reply_code=find_reply_code(diagnostic),
        smtp_command=smtp_command(diagnostic),
        remote_mta=remote_host(diagnostic),
        recipient_source=source,
    )


@dataclass(frozen=True, slots=True)
class ReasonTable:
    """A decoder's own phrases (or vendor codes) that state the reason outright."""

    pattern: re.Pattern[str]
    reasons: dict[str, str]

    def find(self, text: str | None) -> str | None:
        """The reason of the first phrase of the table found in ``text``, else None."""
        if not text:
            return None
        m = self.pattern.search(" ".join(text.split()))
        return self.reasons.get(m.group(0).lower()) if m else None

    def get(self, code: str | None) -> str | None:
        """The reason of a whole vendor code (``bad-mailbox``), else None."""
        return self.reasons.get(code.strip().lower()) if code else None


@lru_cache(maxsize=16)
def reason_table(name: str) -> ReasonTable:
    """The ``[reasons]`` table of ``data/decoders/<name>.toml``, compiled once."""
    data = load_toml(f"decoders/{name}.toml").get("reasons", {})
    table = {str(k).lower(): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return ReasonTable(any_of(list(table)), table)


ANGLE_RECIPIENT = re.compile(r"<([^<>\s@]{1,320}@[^<>\s@]{1,255})>:[ \t]*")
"""A recipient opening its block as ``<ADDR>: ...`` at the start of a line (Postfix wording, used by
many providers; indented continuation lines that quote the address do not open a block)."""


def angle_blocks(mail: Mail) -> list[Facts]:
    """Facts of the ``<ADDR>: reply`` blocks of a report's text, above the returned message."""
    lines = cut_original(mail.report_text).split("\n")
    return [facts(addr, " ".join(block)) for addr, block in blocks(lines, ANGLE_RECIPIENT) if block]
