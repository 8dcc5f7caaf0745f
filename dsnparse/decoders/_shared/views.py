"""The bounce report as decoders see it: its text, first lines and MIME boundary, its own Received
headers, and who sent it (a daemon or not; the addresses that are never failed recipients).

Each view is computed once per message (``Mail.memo``) and shared by every decoder's ``matches``.
"""

from __future__ import annotations

from ... import addresses
from ...message import Mail, part_text
from ...phrases import cut_original, tables


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
        lowered, by_position = mail.memo(_body_lower)
        if by_position:  # a prefix of the lower-cased head is then the lower-cased prefix
            return lowered[:size]
    return mail.body[:size].lower()


_LOWER_HEAD = 3000
"""How much of ``mail.body`` is lower-cased once per message for :func:`head`."""


def _body_lower(mail: Mail) -> tuple[str, bool]:
    """The lower-cased head of the body, and whether it was lower-cased character by character:
    no character became several ("\u0130" becomes two) and none was lower-cased by what follows
    it (only a capital sigma is, final or not: CPython's ``str.lower``)."""
    start = mail.body[:_LOWER_HEAD]
    lowered = start.lower()
    return lowered, start.isascii() or (len(lowered) == len(start) and "\u03a3" not in start)


def machine_report(mail: Mail) -> bool:
    """True when the message looks machine-sent as a report: a daemon sender (MAILER-DAEMON,
    postmaster, Exchange's system mailbox...), a non-delivery subject in one of the common
    languages, or a delivery-status report. Keeps format markers quoted in people's mail out.
    Computed once per message."""
    return mail.memo(_machine_report)


def _machine_report(mail: Mail) -> bool:
    if mail.report_type == "delivery-status" or mail.from_daemon:
        return True  # the sender's address is parsed only when these cheaper tests say nothing
    name = (addresses.normalize(mail.sender) or mail.sender).split("@", 1)[0]
    return name.startswith("microsoftexchange") or tables().bounce_subject.search(mail.subject) is not None


def received_has(mail: Mail, needle: str) -> bool:
    """True when one of the bounce's own Received headers contains ``needle`` (lower-case)."""
    if "\n" in needle:
        return any(needle in v for v in received(mail))
    # one search over the headers joined by newlines: a needle without one cannot span two
    return needle in mail.memo(_received_joined)


def boundary(mail: Mail) -> str:
    """The bounce's MIME boundary, lower-cased (empty when none; computed once per message)."""
    return mail.memo(_boundary_lower)


def _boundary_lower(mail: Mail) -> str:
    return mail.boundary.lower()


def received(mail: Mail) -> tuple[str, ...]:
    """The bounce's own Received headers, lower-cased, newest first (computed once per message)."""
    return mail.memo(_received_lower)


def _received_lower(mail: Mail) -> tuple[str, ...]:
    return tuple(v.lower() for v in mail.received)


def _received_joined(mail: Mail) -> str:
    # the lower-cased join is the join of the lower-cased values: str.lower maps each character
    # on its own except a capital sigma, whose context a newline (neither cased nor
    # case-ignorable) ends on both sides
    return "\n".join(mail.received).lower()


def senders(mail: Mail) -> set[str]:
    """Lower-cased addresses that are never failed recipients: the bounce's addressee (the
    original sender), its own From and Return-Path, and the returned message's From."""
    out: set[str] = set()
    for value in (mail.header("to"), mail.header("from"), mail.header("return-path"), mail.original_header("from")):
        out.update(a.lower() for a in addresses.find_all(value))
    return out
