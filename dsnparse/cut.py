"""A message over ``max_message_bytes`` cut part by part, so the limit bounds the work without
throwing the report away.

Cutting a message at its first ``max_message_bytes`` bytes loses a delivery-status part that
sits behind a large text part or attachment, and a 5 MB Subject line leaves no body at all. A
:class:`Cutter` reads a message line by line (lines may come in bounded pieces, so one endless
line is never held whole) and keeps its structure: every header block (each field cut at
``max_header_bytes``), every MIME boundary line, the report parts whole (delivery status,
feedback and disposition reports, returned headers: RFC 3464, RFC 5965, RFC 8098, RFC 6522 §3),
and of every other part (a human-readable text, an attachment, the returned message's body)
only its first ``2 * max_text_bytes`` bytes, within what is left of ``max_message_bytes``.

A message within ``max_message_bytes`` is returned exactly as it came: only larger ones change.
Reading stops at :data:`READ_FACTOR` times ``max_message_bytes`` (:attr:`Cutter.full`): a
stream without end is cut there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .limits import DEFAULT_LIMITS, Limits

REPORT_TYPES = frozenset({
    "message/delivery-status", "message/global-delivery-status",  # RFC 3464, RFC 6533
    "message/feedback-report",  # RFC 5965
    "message/disposition-notification", "message/global-disposition-notification",  # RFC 8098, RFC 6533
    "text/rfc822-headers", "message/rfc822-headers", "message/global-headers",  # RFC 6522 §3, RFC 6533
})
"""Parts kept whole: what the readers and decoders take the records from."""
_NESTED_TYPES = frozenset({"message/rfc822", "message/global"})
"""Parts whose content starts with a header block of its own (an attached message)."""

_BOUNDARY = re.compile(rb"(?i)\bboundary[ \t]{0,64}=[ \t]{0,64}(?:\"([^\"\r\n]{1,200})\"|([^ \t;\r\n\"]{1,200}))")
READ_FACTOR = 64
"""A message is read up to this many times ``max_message_bytes``; the rest is ignored."""
LINE_PIECE = 1 << 16
"""Most bytes of one line read at a time (a longer line comes in several pieces)."""
_CONTENT_TYPE_BYTES = 4096
"""Most bytes of a Content-Type field read for the type and boundary."""


class Cutter:
    """A message fed line by line (:meth:`feed`), given back whole or cut (:meth:`result`).

    Memory is bounded by about twice ``max_message_bytes``: the message as it came while it is
    within the limit (only kept: a message within the limit costs a list append per line), then
    the cut copy.
    """

    def __init__(self, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits
        self.raw: list[bytes] | None = []
        self.raw_size = 0
        self.seen = 0
        self.cap = READ_FACTOR * limits.max_message_bytes
        self.kept: list[bytes] = []
        self.kept_size = 0
        self.hits: list[str] = []
        self.boundaries: set[bytes] = set()
        self.in_headers = True
        self.nested = False
        self.field_size = 0
        self.block_size = 0
        self.dropping = False
        self.content_type = b""
        self.in_content_type = False
        self.budget = limits.max_message_bytes
        self.line_start = True
        self.top = True

    def _hit(self, name: str) -> None:
        if name not in self.hits:
            self.hits.append(name)

    def _keep(self, piece: bytes) -> None:
        self.kept.append(piece)
        self.kept_size += len(piece)

    def feed(self, piece: bytes) -> None:
        """The next piece of the message: a whole line or part of one (a line goes on until a
        piece ends with a newline). Within the limit a piece is only kept; the first piece over
        it starts the cut, over every piece so far."""
        self.seen += len(piece)
        if self.seen > self.cap:
            return
        raw = self.raw
        if raw is None:
            self._cut(piece)
            return
        raw.append(piece)
        self.raw_size += len(piece)
        if self.raw_size > self.limits.max_message_bytes:
            self.raw = None
            self._hit("message_bytes")
            for earlier in raw:
                self._cut(earlier)

    def _cut(self, piece: bytes) -> None:
        start = self.line_start
        self.line_start = piece.endswith(b"\n")
        if start and self._boundary(piece):
            return
        if self.in_headers:
            self._header(piece, start)
        else:
            self._body(piece)

    @property
    def full(self) -> bool:
        """True once :data:`READ_FACTOR` times ``max_message_bytes`` were fed: the rest is ignored."""
        return self.seen > self.cap

    def _boundary(self, line: bytes) -> bool:
        if not line.startswith(b"--") or not self.boundaries:
            return False
        text = line.rstrip(b"\r\n").rstrip(b" \t")
        closing = text.endswith(b"--") and text[2:-2] in self.boundaries
        if not closing and text[2:] not in self.boundaries:
            return False
        self._keep(line if line.endswith(b"\n") else line + b"\n")
        self.in_headers = not closing
        self.nested = False
        self._start_block()
        if closing:
            self.budget = self._other_budget()
        return True

    def _start_block(self) -> None:
        self.field_size = self.block_size = 0
        self.dropping = self.in_content_type = False
        self.content_type = b""

    def _other_budget(self) -> int:
        return max(0, min(2 * self.limits.max_text_bytes, self.limits.max_message_bytes - self.kept_size))

    def _header(self, piece: bytes, start: bool) -> None:
        limits = self.limits
        if start and piece in (b"\n", b"\r\n"):
            self._keep(piece)
            self._end_block()
            return
        if start and piece[:1] not in (b" ", b"\t"):
            self.field_size = 0
            self.dropping = False
            self.in_content_type = piece[:13].lower() == b"content-type:"
            if self.in_content_type:
                self.content_type = b""
        if self.in_content_type and len(self.content_type) < _CONTENT_TYPE_BYTES:
            self.content_type += piece[13 if start and not self.content_type else 0 :].rstrip(b"\r\n") + b" "
        if self.dropping:
            return
        if self.in_content_type:
            room = max(_CONTENT_TYPE_BYTES, limits.max_header_bytes) - self.field_size
        else:
            room = min(limits.max_header_bytes - self.field_size, limits.max_message_bytes // 4 - self.block_size)
        if len(piece) > room:
            self._hit("header_bytes")
            self.dropping = True
            piece = piece[: max(room, 0)].rstrip(b"\r\n")
            if not piece.strip():  # nothing left to keep: no (blank) line that would end the block
                return
            piece += b"\n"
        self.field_size += len(piece)
        self.block_size += len(piece)
        self._keep(piece)

    def _end_block(self) -> None:
        """A header block ended: the part's type says what its content is."""
        value = self.content_type.split(b";", 1)[0].strip().lower()
        ctype = value if b"/" in value and len(value) < 256 else b"text/plain"
        b = _BOUNDARY.search(self.content_type)
        if b is not None:
            self.boundaries.add(b.group(1) or b.group(2))
        text = ctype.decode("ascii", "replace")
        top, self.top = self.top, False
        self._start_block()
        if text in _NESTED_TYPES:
            self.in_headers, self.nested = True, True
            return
        self.in_headers = False
        if text in REPORT_TYPES:
            self.budget = self.limits.max_message_bytes  # a report part is kept whole
        elif top and not text.startswith("multipart/"):
            self.budget = max(0, self.limits.max_message_bytes - self.kept_size)  # a single-part message: its head
        else:
            self.budget = self._other_budget()

    def _body(self, piece: bytes) -> None:
        if len(piece) <= self.budget:
            self.budget -= len(piece)
            self._keep(piece)
            return
        self._hit("message_bytes")
        if self.budget > 0:
            self._keep(piece[: self.budget].rstrip(b"\r\n") + b"\n")
        self.budget = 0

    def result(self) -> tuple[bytes, tuple[str, ...]]:
        """The message (as it came when within the limit, else cut) and the limits hit
        (``message_bytes``, ``header_bytes``)."""
        if self.raw is not None:
            return b"".join(self.raw), ()
        return b"".join(self.kept), tuple(self.hits)


def lines(raw: bytes, size: int = LINE_PIECE) -> Iterable[bytes]:
    """The lines of ``raw`` with their endings, a long line in pieces of ``size`` bytes."""
    pos, end = 0, len(raw)
    while pos < end:
        nl = raw.find(b"\n", pos, pos + size)
        stop = pos + size if nl < 0 else nl + 1
        yield raw[pos:stop]
        pos = stop


def cut(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, tuple[str, ...]]:
    """``raw`` cut to ``limits`` part by part (see the module), with the limits hit; a message
    within ``max_message_bytes`` comes back unchanged."""
    if len(raw) <= limits.max_message_bytes:
        return raw, ()
    cutter = Cutter(limits)
    for piece in lines(raw):
        cutter.feed(piece)
    return cutter.result()
