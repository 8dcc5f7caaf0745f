"""Recipients in a report: per-recipient blocks of text (``<ADDR>: reply``...) and the facts read
from each (status, reply code, SMTP command and remote host through :mod:`.smtp`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ... import addresses
from ...facts import Facts, by_recipient, find_reply_code, find_status
from ...grammar import ANGLE_ADDRESS, address
from ...message import Mail
from ...phrases import cut_original
from ...standard.dsn import join_reply, read_inline, report_date
from . import smtp
from .markers import reason_table

ANGLE_RECIPIENT = re.compile(ANGLE_ADDRESS + r":[ \t]*")
"""A recipient opening its block as ``<ADDR>: ...`` at the start of a line (Postfix wording, used by
many providers; indented continuation lines that quote the address do not open a block)."""


ANGLE_LINE = re.compile(r"^[ \t]{0,8}<(" + address(r"[^<>\s]", path=True) + r")>:?[ \t]{0,8}$")
"""``<user@example.com>:`` alone on a line: the head of a qmail-style recipient block."""


_DISPLAY_NAME = re.compile(r'^[ \t]{0,12}"[^"\n]{0,200}"[ \t]{0,4}(?=<)')


def bare_address(row: str) -> str | None:
    """The address when a line holds nothing else (in angle brackets or not, after a quoted
    display name or not: ``"Jo" <jo@example.net>``, a closing ``:;,.`` allowed), else None."""
    value = _DISPLAY_NAME.sub("", row).strip().strip("<>").rstrip(":;,.").strip("<>")
    m = addresses.ADDRESS_IN_TEXT.fullmatch(value)
    return addresses.normalize(m.group(1)) if m else None


def blocks(
    rows: Iterable[str],
    start: re.Pattern[str],
    *,
    stop: re.Pattern[str] | None = None,
    blank_ends: bool = True,
    skip_system: bool = True,
) -> list[tuple[str, list[str]]]:
    """Recipient blocks: each line matching ``start`` (whose group 1 is an address) opens a block
    that collects the rest of that line and the following non-blank lines, up to the next start
    line, a line matching ``stop`` (which ends the reading), or - when ``blank_ends`` - a blank
    line after some text. Returns ``(address, lines)`` pairs; an address is kept once (its first
    block) and, when ``skip_system``, system addresses are skipped."""
    out: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    current: list[str] | None = None
    for line in rows:
        if stop is not None and stop.search(line):
            break
        m = start.match(line)
        if m:
            addr = addresses.normalize(m.group(1))
            current = None
            if addr and addr.lower() not in seen and not (skip_system and addresses.is_system(addr)):
                seen.add(addr.lower())
                current = [line[m.end() :].strip()] if line[m.end() :].strip() else []
                out.append((addr, current))
            continue
        if current is None:
            continue
        if not line.strip():
            if current and blank_ends:
                current = None
        else:
            current.append(line.strip())
    return out


def block_facts(mail: Mail, start: re.Pattern[str] = ANGLE_RECIPIENT) -> list[Facts]:
    """Facts of the recipient :func:`blocks` (``<ADDR>: reply`` unless ``start`` says otherwise)
    of a report's text above the returned message, the SMTP wording in each read."""
    rows = cut_original(mail.report_text).split("\n")
    return [facts(addr, " ".join(block), read=True) for addr, block in blocks(rows, start) if block]


def facts(
    recipient: str | None,
    diagnostic: str | None,
    *,
    source: str = "text",
    read: bool = False,
    reasons: str | None = None,
    **known: str | None,
) -> Facts:
    """Facts for one recipient: the diagnostic on one line (a multi-line SMTP reply joined), the
    ``known`` field values, and what is not known read from the diagnostic - its valid status
    and reply code; when ``read``, also the SMTP command (:func:`.smtp.command_phrase`) and the
    remote host (``host NAME``) with the reply joined wherever it starts; with ``reasons``, also
    the reason that decoder's table (:func:`reason_table`) finds, in table order."""
    diag = (smtp.join_text(diagnostic) if read else join_reply(diagnostic)) if diagnostic else None
    found = Facts(recipient=recipient, diagnostic=diag or None, recipient_source=source if recipient else None)
    for name, value in known.items():
        setattr(found, name, value)
    found.status = found.status or find_status(diag)
    found.reply_code = found.reply_code or find_reply_code(diag)
    if read or reasons:
        found.smtp_command = found.smtp_command or smtp.command_phrase(diag)
    if read:
        found.remote_mta = found.remote_mta or smtp.remote_host(diag, "host")
    if reasons:
        found.reason = found.reason or reason_table(reasons).first(diag)
    return found


def unique(found: list[Facts]) -> list[Facts]:
    """Facts with a recipient, each recipient once (the first wins, later ones fill it)."""
    return by_recipient(f for f in found if f.recipient)


def dated(mail: Mail, found: list[Facts]) -> list[Facts]:
    """The report's own Date as the date of facts that carry none (as DSN facts do)."""
    date = mail.memo(report_date)
    for f in found:
        f.date = f.date or date
    return found


def with_inline_dsn(mail: Mail, found: list[Facts], report_text: str | None = None) -> list[Facts]:
    """A decoder's facts completed by DSN fields written into the text (``mail.report_text``
    unless given), for reports whose delivery-status part lost its MIME structure or that quote
    another report (the pipeline reads real DSN parts itself)."""
    if mail.dsn_texts:
        return found
    inline = read_inline(mail.report_text if report_text is None else report_text, mail)
    if not inline:
        return found
    by_rcpt = {f.recipient.lower(): f for f in found if f.recipient}
    for fact in inline:
        extra = by_rcpt.pop(fact.recipient.lower(), None) if fact.recipient else None
        if extra is not None:
            fact.fill(extra)
    return inline + [f for f in found if f.recipient and f.recipient.lower() in by_rcpt]
