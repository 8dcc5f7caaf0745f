"""The bounce report as decoders read it: its text and first lines, who sent it, recipient
blocks, per-recipient facts, and each decoder's own marker and reason tables.

Not a decoder (it has no ``matches``/``decode``): every decoder uses it, with :mod:`.smtp` for
the SMTP wording inside the report. The tables are data: ``data/decoder_markers.toml`` (phrases
that identify a format) and ``data/decoder_reasons.toml`` (a decoder's own sentences or codes
that state the reason outright), one section per decoder NAME in each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .. import addresses
from ..facts import Facts, by_recipient, find_reply_code, find_status
from ..message import Mail, part_text
from ..phrases import LabelledPhrases, any_of, cut_original, tables
from ..rows import load_rows
from ..standard.dsn import join_reply, read_inline, report_date
from . import smtp

ANGLE_RECIPIENT = re.compile(r"<([^<>\s@]{1,320}@[^<>\s@]{1,255})>:[ \t]*")
"""A recipient opening its block as ``<ADDR>: ...`` at the start of a line (Postfix wording, used by
many providers; indented continuation lines that quote the address do not open a block)."""

ANGLE_LINE = re.compile(r"^[ \t]{0,8}<([^<>\s]{1,254}@[^<>\s]{1,254})>:?[ \t]{0,8}$")
"""``<user@example.com>:`` alone on a line: the head of a qmail-style recipient block."""


def text(mail: Mail) -> str:
    """The report text (above a quoted original message). When the bounce's multipart structure
    has no usable boundary, its raw content is read instead (MIME part headers stay in it).
    Computed once per message."""
    return mail.memo(_text)


def _text(mail: Mail) -> str:
    if mail.report_text.strip():
        return mail.report_text
    broken = [p for p in mail.parts if p.get_content_maintype() == "multipart" and isinstance(p.get_payload(), str)]
    return "\n".join(part_text(p, mail.limits.max_text_bytes) for p in broken)


def lines(mail: Mail) -> list[str]:
    """:func:`text` cut before any announced original message, as lines."""
    return cut_original(text(mail)).split("\n")


def head(mail: Mail, size: int = 1500, *, body: bool = False) -> str:
    """The first characters of the report :func:`text` (of ``mail.body``, lower-cased, when
    ``body``), for cheap ``matches`` tests."""
    if not body:
        return text(mail)[:size]
    if size <= _LOWER_HEAD:
        lowered, ascii_only = mail.memo(_body_lower)
        if ascii_only:  # lower-casing ASCII keeps every position, so a prefix of it is exact
            return lowered[:size]
    return mail.body[:size].lower()


_LOWER_HEAD = 3000
"""How much of ``mail.body`` is lower-cased once per message for :func:`head`."""


def _body_lower(mail: Mail) -> tuple[str, bool]:
    start = mail.body[:_LOWER_HEAD]
    return start.lower(), start.isascii()


def from_daemon(mail: Mail) -> bool:
    """True when the message looks machine-sent as a report: a daemon sender (MAILER-DAEMON,
    postmaster, Exchange's system mailbox...), a non-delivery subject in one of the common
    languages, or a delivery-status report. Keeps format markers quoted in people's mail out.
    Computed once per message."""
    return mail.memo(_from_daemon)


def _from_daemon(mail: Mail) -> bool:
    local = mail.sender.split("@", 1)[0]
    name = (addresses.normalize(mail.sender) or mail.sender).split("@", 1)[0]
    t = tables()
    return bool(
        mail.report_type == "delivery-status"
        or t.bounce_sender.search(local)
        or name.startswith("microsoftexchange")
        or t.bounce_subject.search(mail.subject)
    )


def daemon_marked(mail: Mail, name: str, size: int) -> bool:
    """The usual vendor ``matches``: a report :func:`from_daemon` whose first ``size`` characters
    of text hold one of format ``name``'s markers (:func:`marked`)."""
    return from_daemon(mail) and head_marked(mail, name, size)


def received_has(mail: Mail, needle: str) -> bool:
    """True when one of the bounce's own Received headers contains ``needle`` (lower-case)."""
    return any(needle in v for v in mail.memo(_received_lower))


def boundary(mail: Mail) -> str:
    """The bounce's MIME boundary, lower-cased (empty when none; computed once per message)."""
    return mail.memo(_boundary_lower)


def _boundary_lower(mail: Mail) -> str:
    return str(mail.message.get_param("boundary", "") or "").lower()


def received(mail: Mail) -> tuple[str, ...]:
    """The bounce's own Received headers, lower-cased, newest first (computed once per message)."""
    return mail.memo(_received_lower)


def _received_lower(mail: Mail) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in mail.message.get_all("received", []))


def senders(mail: Mail) -> set[str]:
    """Lower-cased addresses that are never failed recipients: the bounce's addressee (the
    original sender), its own From and Return-Path, and the returned message's From."""
    out: set[str] = set()
    for value in (mail.header("to"), mail.header("from"), mail.header("return-path"), mail.original_header("from")):
        out.update(a.lower() for a in addresses.find_all(value))
    return out


def bare_address(row: str) -> str | None:
    """The address when a line holds nothing else (optionally in angle brackets), else None."""
    value = row.strip().strip("<>")
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


@dataclass(frozen=True, slots=True)
class ReasonTable:
    """A decoder's own phrases (or vendor codes) that state the reason outright."""

    ordered: tuple[tuple[str, re.Pattern[str]], ...]
    pattern: re.Pattern[str]
    reasons: dict[str, str]

    def first(self, text: str | None) -> str | None:
        """The first reason, in table order, that has a phrase in ``text``, else None."""
        if not text:
            return None
        for found, matcher in self.ordered:
            if matcher.search(text):
                return found
        return None

    def find(self, text: str | None) -> str | None:
        """The reason of the phrase found first in ``text`` (its white space unfolded), else None."""
        if not text:
            return None
        m = self.pattern.search(" ".join(text.split()))
        return self.reasons.get(m.group(0).lower()) if m else None

    def get(self, code: str | None) -> str | None:
        """The reason of a whole vendor code (``bad-mailbox``), else None."""
        return self.reasons.get(code.strip().lower()) if code else None


@dataclass(frozen=True, slots=True)
class ReasonRow:
    """One row of a decoder's section of ``data/decoder_reasons.toml``."""

    reason: str
    phrases: tuple[str, ...]
    """Literal phrases (or whole vendor codes) that state the reason outright."""
    example: str
    """The decoder's own wording the row was written for (run by the tests)."""


@dataclass(frozen=True, slots=True)
class MarkerRow:
    """One format's marker phrases in ``data/decoder_markers.toml``."""

    name: str
    phrases: tuple[str, ...]


def reason_rows(name: str) -> tuple[ReasonRow, ...]:
    """Decoder ``name``'s rows of ``data/decoder_reasons.toml``, in file order."""
    return load_rows("decoder_reasons.toml", name, ReasonRow)


@lru_cache(maxsize=64)
def reason_table(name: str) -> ReasonTable:
    """Decoder ``name``'s section of ``data/decoder_reasons.toml``, compiled once."""
    rows = reason_rows(name)
    by_phrase: dict[str, str] = {}
    for row in rows:
        for phrase in row.phrases:
            by_phrase.setdefault(phrase.lower(), row.reason)
    ordered = tuple((row.reason, any_of(row.phrases)) for row in rows)
    return ReasonTable(ordered, any_of(list(by_phrase)), by_phrase)


@lru_cache(maxsize=1)
def _marker_table() -> dict[str, tuple[str, ...]]:
    """``data/decoder_markers.toml``: each format's marker phrases (read once)."""
    return {row.name: row.phrases for row in load_rows("decoder_markers.toml", None, MarkerRow)}


@lru_cache(maxsize=1)
def _markers() -> dict[str, re.Pattern[str]]:
    return {name: any_of(phrases) for name, phrases in _marker_table().items()}


def marked(name: str, sample: str) -> bool:
    """True when ``sample`` holds one of the phrases that identify format ``name``
    (``data/decoder_markers.toml``)."""
    matcher = _markers().get(name)
    return bool(matcher and matcher.search(sample))


MARKER_WINDOW = 2000
"""How many characters of the report :func:`text` one scan for all formats' markers covers."""


@lru_cache(maxsize=1)
def _marker_phrases() -> LabelledPhrases:
    return LabelledPhrases(_marker_table().items())


@lru_cache(maxsize=1)
def _longest_marker() -> int:
    return max((len(p) for phrases in _marker_table().values() for p in phrases), default=0)


def _marker_ends(mail: Mail) -> dict[str, int] | None:
    return _marker_phrases().ends(text(mail)[:MARKER_WINDOW])


def head_marked(mail: Mail, name: str, size: int) -> bool:
    """``marked(name, head(mail, size))``, answered from one scan per message of the first
    :data:`MARKER_WINDOW` characters for every format's markers (searched as ``marked`` does
    when that scan cannot answer exactly). Beyond the window only the text that the scan did not
    cover (less the longest marker) is searched."""
    ends = mail.memo(_marker_ends)
    if ends is None:
        return marked(name, head(mail, size))
    if ends.get(name, size + 1) <= size:
        return True
    sample = text(mail)
    if size <= MARKER_WINDOW or len(sample) <= MARKER_WINDOW:
        return False  # the scan saw all of head(mail, size)
    # an occurrence the scan missed ends past the window, so it starts after this
    return marked(name, sample[max(MARKER_WINDOW - _longest_marker(), 0) : size])
