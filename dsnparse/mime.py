"""The MIME parse, fast: the tree ``email.feedparser`` builds under ``compat32``, built by slicing.

The stdlib feed parser reads a message one line at a time through a generator and a stack of
end-of-part predicates, which makes it most of the cost of analysing a bounce. :func:`parse`
follows the same algorithm (RFC 2046 boundaries, outer boundaries ending inner parts, the
``message/delivery-status`` field groups, ``message/*`` nesting, ``multipart/digest`` defaults,
the newline that belongs to a boundary, preamble and epilogue, the same defect objects), but
over positions in one string: a part's end is one ``str.find`` per boundary instead of one
predicate call per line, and a header block is split by two regular expressions.

It covers messages as mail servers write them. For the rare shapes whose stdlib handling is
irregular (a ``From`` line inside a header block, a header line starting with ``:``, a header
block opening with a continuation line, carriage returns, deep nesting) it returns ``None`` and
the caller uses the stdlib parser; ``tests/test_mime.py`` checks that both give the same tree.
"""

from __future__ import annotations

import re
from email import errors
from email.message import Message

from .indexed import POLICY, IndexedMessage

ATTACHED_TYPES = frozenset({"message/rfc822", "message/global"})
"""Content types whose content is a whole attached message (the returned original)."""

MAX_DEPTH = 40
"""Deeper structures go to the stdlib parser (which bounds them in :mod:`dsnparse.message`)."""

# feedparser.headerRE, repeated over the lines of a header block. Both patterns start only at
# the start of a line (the lookbehind), where they are used: a scan over one long line stays linear.
# Their repeats are possessive (``*+``, Python 3.11): a name stops at its colon and a line at its
# newline, and what follows each repeat matches whatever it leaves, so the first try is always the
# match; the engine then keeps no backtracking state per character (15% fewer instructions).
_HEADER_LINES = re.compile(r"(?<![^\n])(?:(?:From |[\041-\071\073-\176]*+:|[\t ])[^\n]*+(?:\n|\Z))*+")
# one field: the name up to the first colon, the value with its continuation lines
_FIELD = re.compile(r"(?<![^\n])([^:\n]++):[ \t]*+([^\n]*+(?:\n[ \t][^\n]*+)*+)\n?+")
"""``findall`` gives the ``(name, value)`` pairs compat32 stores."""
# a Content-Type field in a header block (a field name starts a line; continuations are indented)
_CONTENT_TYPE = re.compile(r"(?im)^content-type:")
# what may follow "--boundary" on a boundary line (feedparser's boundaryre after the separator);
# a boundary never ends in white space (get_boundary strips it), so the lookbehind changes no
# match at the end of one and keeps a scan over long runs of blanks linear
_BOUNDARY_TAIL = re.compile(r"(?<![ \t])(--)?[ \t]*(\n|\Z)")


def _content_type_line(block: str) -> int:
    """Where the first Content-Type field of a header block starts, else -1."""
    if not block.isascii():  # (lower-casing keeps every position only in ASCII)
        found = _CONTENT_TYPE.search(block)
        return found.start() if found else -1
    lowered = block.lower()
    if lowered.startswith("content-type:"):
        return 0
    at = lowered.find("\ncontent-type:")
    return at + 1 if at >= 0 else -1


class _Unsupported(Exception):
    """The message has a shape the fast path leaves to the stdlib parser."""


class _Parser:
    """One parse: the text and the feed parser's notion of the last message made."""

    __slots__ = ("headersonly", "last", "nested_bodies", "text")

    def __init__(self, text: str, headersonly: bool, nested_bodies: bool):
        self.text = text
        self.headersonly = headersonly
        self.nested_bodies = nested_bodies
        self.last: Message | None = None

    def new(self, default_type: str) -> IndexedMessage:
        msg = IndexedMessage(POLICY)
        if default_type != "text/plain":
            msg.set_default_type(default_type)
        self.last = msg
        return msg

    # -- positions ------------------------------------------------------------------------------
    def boundary_line(self, sep: str, pos: int, stop: int) -> tuple[int, bool, bool]:
        """The first line in ``[pos, stop)`` that is a boundary line for ``sep``: its start,
        whether it closes (``--sep--``) and whether it ends with a newline; ``(stop, ...)``
        when there is none before ``stop``."""
        text = self.text
        q = text.find(sep, pos, stop)
        while q >= 0:
            if q == pos or text[q - 1] == "\n":
                m = self.boundary_tail(sep, q)
                if m is not None:
                    return q, m.group(1) is not None, m.group(2) == "\n"
            q = text.find(sep, q + 1, stop)
        return stop, False, False

    def boundary_tail(self, sep: str, q: int) -> re.Match[str] | None:
        """What ends a boundary line for ``sep`` starting at line start ``q`` (``--`` when it
        closes, the newline), else None: the line is no boundary line."""
        if not self.text.startswith(sep, q):
            return None
        return _BOUNDARY_TAIL.match(self.text, q + len(sep))

    def line_end(self, pos: int) -> int:
        """The position after the line starting at ``pos``."""
        nl = self.text.find("\n", pos)
        return len(self.text) if nl < 0 else nl + 1

    # -- the parse ------------------------------------------------------------------------------
    def message(self, pos: int, stop: int, default_type: str, depth: int, body_as_text: bool = False) -> IndexedMessage:
        """The message in ``[pos, stop)`` (feedparser ``_parsegen``); ``body_as_text``: its
        headers only, the rest kept as its payload."""
        if depth > MAX_DEPTH:
            raise _Unsupported("depth")
        text = self.text
        msg = self.new(default_type)
        run = _HEADER_LINES.match(text, pos, stop)
        end = run.end() if run is not None else pos  # the pattern matches the empty string
        if end < stop:
            if text[end] == "\n":
                body = end + 1
            else:
                msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
                body = end
        else:
            body = stop
        block = text[pos:end]
        if block:
            self.headers(msg, block)
        if self.headersonly or body_as_text:
            msg._payload = text[body:stop]  # type: ignore[attr-defined]
            return msg
        # the type from the first Content-Type field (else the default): no index of the fields
        at = _content_type_line(block)
        field = _FIELD.match(text, pos + at, end) if at >= 0 else None
        ctype = msg.content_type_from(field.group(2)) if field else msg.get_default_type()
        if ctype == "message/delivery-status":
            self.field_groups(msg, body, stop, depth)
        elif ctype.startswith("message/"):
            shallow = not self.nested_bodies and ctype in ATTACHED_TYPES
            msg._payload = [self.message(body, stop, "text/plain", depth + 1, shallow)]  # type: ignore[attr-defined]
        elif ctype.startswith("multipart/"):
            self.multipart(msg, ctype, body, stop, depth)
        else:
            msg._payload = text[body:stop]  # type: ignore[attr-defined]
        return msg

    @staticmethod
    def headers(msg: IndexedMessage, block: str) -> None:
        """Fields of a header block (feedparser ``_parse_headers`` + ``compat32.header_source_parse``)."""
        if block.startswith("From "):
            nl = block.find("\n")
            msg.set_unixfrom(block if nl < 0 else block[:nl])
            block = "" if nl < 0 else block[nl + 1 :]
        if block[:1] in (" ", "\t", ":") or block.startswith("From ") or "\nFrom " in block or "\n:" in block:
            raise _Unsupported("a header block the stdlib reads with defects")
        msg.set_parsed_headers(_FIELD.findall(block))

    def field_groups(self, msg: Message, pos: int, stop: int, depth: int) -> None:
        """``message/delivery-status``: one header-only message per group of fields."""
        text = self.text
        groups: list[Message] = []
        msg._payload = groups  # type: ignore[attr-defined]
        while True:
            if pos < stop and text[pos] == "\n":
                blank = pos
            else:
                found = text.find("\n\n", pos, stop)
                blank = stop if found < 0 else found + 1
            groups.append(self.message(pos, blank, "text/plain", depth + 1))
            if blank >= stop:
                return
            pos = blank + 1  # the blank line is consumed
            if pos >= stop:
                return

    def multipart(self, msg: Message, ctype: str, pos: int, stop: int, depth: int) -> None:
        """A multipart body: preamble, parts between boundary lines, epilogue."""
        text = self.text
        boundary = msg.get_boundary()
        if boundary is None:
            msg.defects.append(errors.NoBoundaryInMultipartDefect())
            msg._payload = text[pos:stop]  # type: ignore[attr-defined]
            return
        if str(msg.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
            msg.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        sep = "--" + boundary
        at, closes, newline = self.boundary_line(sep, pos, stop)
        if at >= stop or closes:
            msg.defects.append(errors.StartBoundaryNotFoundDefect())
            msg._payload = text[pos:at]  # type: ignore[attr-defined]
            msg.epilogue = ""
            return
        if at > pos:
            msg.preamble = text[pos : at - 1]
        child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        parts: list[Message] = []
        msg._payload = parts  # type: ignore[attr-defined]
        while True:
            # the boundary line at ``at`` and any boundary lines right after it
            pos = self.line_end(at)
            while pos < stop and self.boundary_tail(sep, pos):
                pos = self.line_end(pos)
            at, closes, newline = self.boundary_line(sep, pos, stop)
            parts.append(self.message(pos, at, child_type, depth + 1))
            self.cleanse_last()
            self.last = msg
            if at >= stop:
                msg.defects.append(errors.CloseBoundaryNotFoundDefect())
                return
            if closes:
                break
        epilogue_start = self.line_end(at)
        msg.epilogue = text[epilogue_start:stop] if newline else ""

    def cleanse_last(self) -> None:
        """The newline before a boundary belongs to the boundary (RFC 2046): take it off the
        payload (or epilogue) of the message parsed last."""
        last = self.last
        if last is None:
            return
        if last.get_content_maintype() == "multipart":
            epilogue = last.epilogue
            if epilogue == "":
                last.epilogue = None
            elif epilogue is not None and epilogue.endswith("\n"):
                last.epilogue = epilogue[:-1]
        else:
            payload = last._payload  # type: ignore[attr-defined]
            if isinstance(payload, str) and payload.endswith("\n"):
                last._payload = payload[:-1]  # type: ignore[attr-defined]


def parse(text: str, *, headersonly: bool = False, nested_bodies: bool = True) -> Message | None:
    """The compat32 tree of ``text`` (a message decoded as ASCII with surrogate escapes, as
    ``email.message_from_bytes`` decodes it, or any text), or ``None`` when the stdlib parser
    should read it. ``nested_bodies=False`` keeps the body of an attached message
    (:data:`ATTACHED_TYPES`) as text, unparsed: its headers are read, its structure is not (the
    analysis needs no more; :func:`dsnparse.message.attached_mail` parses it on demand).
    ``headersonly`` reads the header block and keeps the rest as the payload
    (``email.parser.HeaderParser``)."""
    if "\r" in text:
        return None
    parser = _Parser(text, headersonly, nested_bodies)
    try:
        root = parser.message(0, len(text), "text/plain", 0)
    except (_Unsupported, RecursionError):
        return None
    if not headersonly and root.get_content_maintype() == "multipart" and not root.is_multipart():
        root.defects.append(errors.MultipartInvariantViolationDefect())
    return root
