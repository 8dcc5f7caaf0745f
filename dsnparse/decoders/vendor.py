"""Shared readers for the vendor-format decoders (qmail, Courier, Exchange, Notes, the Japanese
carriers...): the vendor's own reason phrases, recipient blocks, and the report text of a message
whose MIME structure lost its boundaries.

Not a decoder (it has no ``matches``/``decode``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail, part_text
from ..phrases import any_of, cut_original, load_toml, tables
from ..standard.dsn import join_reply

# "<user@example.com>:" alone at the start of a line: the head of a qmail-style recipient block.
_ANGLE_BLOCK = re.compile(r"^[ \t]{0,8}<([^<>\s]{1,254}@[^<>\s]{1,254})>:?[ \t]{0,8}$")
# SMTP transcript lines as Courier, sendmail and others quote them.
_SENT = re.compile(r"^[ \t]{0,8}>>>[ \t]{0,4}([A-Za-z]{4,8})\b")
_RECEIVED = re.compile(r"^[ \t]{0,8}<<<[ \t]{0,4}(.*)$")
_COMMANDS = {
    "rcpt": "RCPT",
    "mail": "MAIL",
    "data": "DATA",
    "helo": "HELO",
    "ehlo": "EHLO",
    "quit": "QUIT",
    "bdat": "DATA",
    "auth": "AUTH",
    "rset": "RSET",
    "starttls": "STARTTLS",
}


@lru_cache(maxsize=1)
def _tables() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    data = load_toml("vendor_reasons.toml")
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for name, table in data.items():
        if isinstance(table, dict):
            out[name] = [
                (str(reason), any_of([str(p) for p in phrases]))
                for reason, phrases in table.items()
                if isinstance(phrases, list)
            ]
    return out


def reason(name: str, text: str | None) -> str | None:
    """The reason a vendor's own wording names outright (``data/vendor_reasons.toml``, table
    ``name``), else None. Give it the vendor's sentences, never a remote server's reply."""
    if not text:
        return None
    for found, matcher in _tables().get(name, []):
        if matcher.search(text):
            return found
    return None


def text(mail: Mail) -> str:
    """The report text (above a quoted original message). When the bounce's multipart structure
    has no usable boundary, its raw content is read instead (MIME part headers stay in it)."""
    if mail.report_text.strip():
        return mail.report_text
    broken = [p for p in mail.parts if p.get_content_maintype() == "multipart" and isinstance(p.get_payload(), str)]
    return "\n".join(part_text(p, mail.limits.max_text_bytes) for p in broken)


def lines(mail: Mail) -> list[str]:
    """:func:`text` cut before any announced original message, as lines."""
    return cut_original(text(mail)).split("\n")


def from_daemon(mail: Mail) -> bool:
    """True when the message looks machine-sent as a report: a daemon sender (MAILER-DAEMON,
    postmaster, Exchange's system mailbox...), a non-delivery subject in one of the common
    languages, or a delivery-status report. Keeps format markers quoted in people's mail out."""
    local = mail.sender.split("@", 1)[0]
    name = (addresses.normalize(mail.sender) or mail.sender).split("@", 1)[0]
    t = tables()
    return bool(
        mail.report_type == "delivery-status"
        or t.bounce_sender.search(local)
        or name.startswith("microsoftexchange")
        or t.bounce_subject.search(mail.subject)
    )


def bare_address(row: str) -> str | None:
    """The address when a line holds nothing else (optionally in angle brackets), else None."""
    text = row.strip().strip("<>")
    m = addresses.ADDRESS_IN_TEXT.fullmatch(text)
    return addresses.normalize(m.group(1)) if m else None


def head(mail: Mail, size: int = 1500) -> str:
    """The first characters of the report text, for cheap ``matches`` tests."""
    return text(mail)[:size]


def facts(
    recipient: str | None,
    diagnostic: str | None,
    *,
    command: str | None = None,
    remote: str | None = None,
    source: str = "text",
) -> Facts:
    """Facts for one recipient: the diagnostic joined into one line, its valid status and reply
    codes read from it."""
    diag = join_reply(diagnostic) if diagnostic else None
    return Facts(
        recipient=recipient,
        diagnostic=diag or None,
        status=find_status(diag),
        reply_code=find_reply_code(diag),
        smtp_command=command,
        remote_mta=remote,
        recipient_source=source if recipient else None,
    )


def angle_blocks(rows: list[str], stop: re.Pattern[str] | None = None) -> list[tuple[str, list[str]]]:
    """qmail-style blocks: a ``<address>:`` line followed by its diagnostic lines, up to the next
    such line (or a line matching ``stop``). Returns ``(address, lines)`` pairs, each address once."""
    out: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    current: list[str] | None = None
    for row in rows:
        if stop is not None and stop.search(row):
            break
        m = _ANGLE_BLOCK.match(row)
        addr = addresses.normalize(m.group(1)) if m else None
        if addr:
            if addr.lower() in seen:
                current = None
                continue
            seen.add(addr.lower())
            current = []
            out.append((addr, current))
        elif current is not None and row.strip():
            current.append(row.strip())
    return out


def transcript(rows: list[str]) -> tuple[str | None, str | None]:
    """``(command, reply)`` from an SMTP transcript (``>>> RCPT TO:<...>`` / ``<<< 550 ...``):
    the last command sent and the reply lines received after it, joined."""
    command: str | None = None
    reply: list[str] = []
    for row in rows:
        sent = _SENT.match(row)
        if sent:
            command = _COMMANDS.get(sent.group(1).lower(), command)
            reply = []
            continue
        got = _RECEIVED.match(row)
        if got:
            reply.append(got.group(1).strip())
    return command, join_reply(" ".join(reply)) if reply else None


@lru_cache(maxsize=1)
def _markers() -> dict[str, re.Pattern[str]]:
    data = load_toml("vendor_markers.toml")
    return {name: any_of([str(p) for p in value]) for name, value in data.items() if isinstance(value, list)}


def marked(name: str, sample: str) -> bool:
    """True when ``sample`` holds one of the phrases that identify format ``name``
    (``data/vendor_markers.toml``)."""
    matcher = _markers().get(name)
    return bool(matcher and matcher.search(sample))
