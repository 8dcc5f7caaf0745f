"""Bytes to a :class:`Mail`: the decoded view of one message that readers and decoders share.

The message is parsed once with the fast ``compat32`` policy after its line endings are made
uniform (CRLF and bare CR become LF), so CRLF, LF and CR copies of a message decode alike.
Text parts are decoded once (declared charset, else chardet). The returned original message is
located and set aside: its headers are read; its body is kept as text, never parsed or scanned
for recipients (:func:`attached_mail` parses it when a decoder reads it as a bounce of its own).
Everything expensive is computed lazily, on first use.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.errors
import email.header
import email.parser
import quopri
import re
from collections.abc import Callable, Iterable, Iterator
from email.message import Message
from itertools import islice
from typing import IO, Any, Generic, TypeVar, cast, overload

import chardet

from . import mime
from .cut import LINE_PIECE, Cutter, cut
from .errors import InputError
from .indexed import POLICY, IndexedMessage
from .limits import DEFAULT_LIMITS, LimitHit, Limits, flag
from .phrases import is_daemon

#: Content types that carry the returned original message (or its headers).
ORIGINAL_TYPES = frozenset(
    {"message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers",
     "message/global-headers", "message/partial"}
)
#: Content types of machine-readable delivery reports.
DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})

_CHARSET_ALIASES = {
    "x-sjis": "shift_jis", "sjis": "shift_jis", "shift-jis": "shift_jis", "x-euc-jp": "euc_jp",
    "iso-2022-jp-ms": "iso2022_jp_ext", "cp-850": "cp850", "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "", "unknown-8bit": "", "x-user-defined": "", "default": "", "charset": "",
    "ks_c_5601-1987": "cp949", "gb2312": "gb18030", "gbk": "gb18030", "windows-874": "cp874",
}
_T = TypeVar("_T")
_UNSET = object()
_MAIL_ERAS = chardet.EncodingEra.MODERN_WEB | chardet.EncodingEra.LEGACY_ISO | chardet.EncodingEra.LEGACY_REGIONAL
"""The encodings chardet weighs for undeclared mail text: web, ISO 8859 and regional ones (KOI8,
TIS-620...), not DOS, Mac or EBCDIC code pages, which mail does not carry undeclared (and which
would double the cost of a guess)."""
_BOM = codecs.BOM_UTF8
"""A UTF-8 byte-order mark, which an editor or a Windows tool saving a message can put before its
first header: taken off, or the first header line would not parse and the message would have none."""
_HEADER_LINE = re.compile(r"[!-9;-~]{1,80}:[ \t]?")
_BOUNDARY_LINE = re.compile(r"(?m)^--([!-~]{1,70}?)(?:--)?[ \t]*$")
_NESTING_TYPE = re.compile(rb"(?im)^content-type:[ \t]{0,64}\"?(?:multipart|message)/")
_STRONG_FIELD = (
    r"(?:return-path|received|message-id|dkim-signature|mime-version|x-mailer|"
    r"content-type|x-[a-z0-9-]{1,40}|authentication-results|delivered-to):[ \t]"
)
"""A header line that only a real message carries (case-insensitive)."""
_STRONG_AT_START = re.compile("(?i)" + _STRONG_FIELD)
# the same after a newline: the newline (a literal prefix) and the names' first letters let a
# search skip from line to line instead of trying the names at every position as "(?m)^" does
_STRONG_AFTER_NEWLINE = re.compile("(?i)\n(?=[rmdxca])" + _STRONG_FIELD)


def normalize_newlines(raw: bytes) -> bytes:
    """CRLF and bare CR to LF, so every copy of a message parses the same."""
    if b"\r" not in raw:
        return raw
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
        b"\xc3\xa9\xff".decode(codec, "replace")  # bytes-to-bytes codecs, idna, 'undefined' cannot
    except (LookupError, UnicodeError, ValueError):  # ValueError: a name with a NUL in it
        return None
    return codec


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode text bytes: the declared charset when it fits, else chardet's guess, else UTF-8
    with replacement. ASCII-only data never reaches chardet."""
    if data.isascii():
        if b"\x1b$" in data or b"\x1b(" in data:  # ISO-2022-JP is 7-bit
            try:
                return data.decode("iso2022_jp_ext")
            except UnicodeDecodeError:
                pass
        return data.decode("ascii")
    codec = _codec(charset)
    if codec and codec not in ("ascii",):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = chardet.detect(data[:65536], encoding_era=_MAIL_ERAS).get("encoding")
    guessed = _codec(guess)
    if guessed:
        try:
            return data.decode(guessed)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode(codec or "utf-8", errors="replace")


def decode_header(value: str | None, limit: int = DEFAULT_LIMITS.max_header_bytes) -> str:
    """An RFC 2047 header value as text, unfolded, cut at ``limit`` characters."""
    if not value:
        return ""
    value = str(value)
    if len(value) > limit:
        value = value[:limit]
    if "=?" in value:
        try:
            parts = email.header.decode_header(value)
            chunks = []
            for chunk, cs in parts:
                if isinstance(chunk, bytes):
                    chunks.append(decode_bytes(chunk, cs))
                else:
                    chunks.append(chunk)
            value = "".join(chunks)
        except (ValueError, LookupError, AssertionError, binascii.Error, email.errors.HeaderParseError):
            pass
    elif not value.isascii():
        # compat32 keeps undeclared 8-bit header bytes as surrogate escapes
        value = decode_bytes(value.encode("utf-8", "surrogateescape"))
    return " ".join(value.split())


_ENCODED = ("base64", "quoted-printable")
"""Transfer encodings whose text must be decoded before it is read."""


def _transfer_encoding(part: Message) -> str:
    """A part's Content-Transfer-Encoding, lower-cased (empty when none)."""
    return str(part.get("content-transfer-encoding", "")).strip().lower()


def _plain_ascii(part: Message) -> str | None:
    """A part's content when it is ASCII text needing no decoding at all (no transfer encoding
    to undo, no ISO-2022 escapes): the text :func:`part_text` would build through bytes."""
    payload = part._payload  # type: ignore[attr-defined]  # get_payload() would decode 8-bit text
    if isinstance(payload, list):
        if _transfer_encoding(part) in _ENCODED:
            return None  # a transfer-encoded message/global* body: part_text undoes the encoding
        text = _serialize_all(payload)
    elif isinstance(payload, str):
        if _transfer_encoding(part) in _ENCODED:
            return None
        text = payload
    else:
        return None
    return text if text.isascii() and "\x1b" not in text else None


def part_bytes(part: Message) -> bytes:
    """The decoded (base64/quoted-printable undone) bytes of a non-multipart part, never raising."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return _serialize_all(payload).encode("utf-8", "surrogateescape")
    if not isinstance(payload, str):
        return b""
    try:
        raw = payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        # compat32 already decoded an 8-bit payload with its declared charset: take the bytes back
        data = part.get_payload(decode=True)
        return data if isinstance(data, bytes) else payload.encode("utf-8", "replace")
    cte = _transfer_encoding(part)
    if cte == "base64":
        try:
            return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/]", b"", raw) + b"===")
        except (binascii.Error, ValueError):
            return raw
    if cte == "quoted-printable":
        return quopri.decodestring(raw)
    return raw


def _serialize(msg: Message) -> str:
    """A nested message (as compat32 parses ``message/*`` parts) back to header text + body."""
    head = "\n".join(f"{k}: {v}" for k, v in msg.raw_items())  # raw: 8-bit values keep their bytes
    body = msg._payload  # type: ignore[attr-defined]
    if not (isinstance(body, list) or (isinstance(body, str) and body.isascii())) and msg.get_param("charset"):
        # what it gives 8-bit text decoded with its declared charset; undeclared 8-bit text (the
        # UTF-8 fields of a message/global-delivery-status, RFC 6533) keeps its bytes, as
        # get_payload would read them as ASCII and replace every one
        body = msg.get_payload()
    if isinstance(body, str) and body:
        if not len(msg):  # len counts the headers; items() would decode every value
            return body
        return head + "\n\n" + body
    if isinstance(body, list):
        return head + "\n\n" + _serialize_all(body)
    return head


def _serialize_all(parts: Iterable[object]) -> str:
    """The messages of a ``message/*`` or multipart payload serialized (:func:`_serialize`),
    blank lines between them."""
    return "\n\n".join(_serialize(p) for p in parts if isinstance(p, Message))


def part_text(part: Message, limit: int = DEFAULT_LIMITS.max_text_bytes) -> str:
    """A part's content as text, transfer encoding undone, charset decoded, LF line endings."""
    plain = _plain_ascii(part)
    if plain is not None:  # what the general path below gives for plain ASCII, sooner
        text = plain[:limit]
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    payload = part.get_payload()
    if isinstance(payload, list) and part.get_content_maintype() == "message":
        # compat32 parsed message/* as nested messages, whatever the transfer encoding: a
        # base64 global part parses as a header-less body, a quoted-printable one as fields
        # (RFC 6533 allows both); either is written back and its encoding undone.
        if _transfer_encoding(part) in _ENCODED:
            carrier = Message()
            carrier["Content-Transfer-Encoding"] = str(part["content-transfer-encoding"])
            carrier.set_payload(_serialize_all(payload))
            data = part_bytes(carrier)
        else:
            data = part_bytes(part)
    else:
        data = part_bytes(part)
    text = decode_bytes(data[:limit], part.get_content_charset() or "utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_SCRIPT_OPEN = re.compile(r"(?i)<(script|style)\b[^>]{0,200}>")
_SCRIPT_CLOSE = {name: re.compile(rf"(?i)</{name}\s{{0,20}}>") for name in ("script", "style")}


def _drop_scripts(html: str) -> str:
    """``<script>`` and ``<style>`` blocks replaced by a space, in linear time: the close tag is
    looked for once per kind and position (a lazy ``.*?`` between the tags is quadratic on a
    page of unclosed ``<script>`` tags). An unclosed block is kept, as text."""
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    for m in _SCRIPT_OPEN.finditer(html):
        kind = m.group(1).lower()
        if m.start() < pos or kind in unclosed:
            continue
        end = _SCRIPT_CLOSE[kind].search(html, m.end())
        if end is None:
            unclosed.add(kind)
            continue
        out += (html[pos : m.start()], " ")
        pos = end.end()
    out.append(html[pos:])
    return "".join(out)


def _html_to_text(html: str) -> str:
    html = _drop_scripts(html)
    html = re.sub(r"(?i)<br\s*/?>|</(?:p|div|tr|li|h\d)\s*>", "\n", html)
    html = re.sub(r"<[^>]{0,2000}>", "", html)
    from html import unescape

    return "\n".join(line.strip() for line in unescape(html).splitlines())


def split_inline_original(text: str) -> tuple[str, str | None]:
    """Split text at the first header block of a returned message quoted inline.

    A block is at least two consecutive header lines, one of which is a header that only a real
    message carries (Received, Return-Path, Message-ID, DKIM...). Returns ``(report, headers)``.
    """
    for start in _strong_header_lines(text):
        # walk back over header lines directly above
        block_start = start
        while block_start > 0:
            prev_end = block_start - 1
            prev_start = text.rfind("\n", 0, prev_end) + 1
            line = text[prev_start:prev_end]
            if line and (_HEADER_LINE.match(line) or line[:1] in " \t"):
                block_start = prev_start
            else:
                break
        if _leads_header_block(text, block_start):
            end = text.find("\n\n", start)
            return text[:block_start], text[block_start : end if end >= 0 else len(text)]
    return text, None


def _strong_header_lines(text: str) -> Iterator[int]:
    """The starts of the lines of ``text`` that begin with a header only a real message carries
    (:data:`_STRONG_FIELD`), in order."""
    if _STRONG_AT_START.match(text):
        yield 0
    for m in _STRONG_AFTER_NEWLINE.finditer(text):
        yield m.start() + 1


def _leads_header_block(text: str, start: int) -> bool:
    """Whether the first three lines at ``start`` that are not continuations (at least two,
    before a blank line) are all header lines. Reads only those lines, so a text of many
    candidate blocks costs linear time, not one scan to the end per candidate."""
    lines: list[str] = []
    pos = start
    while len(lines) < 3:
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        if not line:
            break
        if line[:1] not in " \t":
            lines.append(line)
        if nl < 0:
            break
        pos = nl + 1
    return len(lines) >= 2 and all(_HEADER_LINE.match(ln) for ln in lines)


class lazy(Generic[_T]):
    """``functools.cached_property`` without its lock: computed on first use, then kept in the
    instance. A :class:`Mail` belongs to one parse (one thread), so nothing needs the lock, and
    taking it costs a good part of what these small properties compute."""

    def __init__(self, func: Callable[[Any], _T]):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object, owner: type | None = None) -> lazy[_T] | _T:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class Mail:
    """The decoded view of one message, shared by the standard readers and the MTA decoders.

    Attributes are computed on first use and cached; nothing here scans the returned original
    message's body.

    ``defects`` holds what was wrong with the message: the parser's defects (class names such as
    ``StartBoundaryNotFoundDefect``, ``BadCharset``) and the limits hit while loading it
    (``limit:message_bytes``, ``limit:parts``, ``limit:depth``). It may grow after the parse:
    reading a lazy value that cuts a header or a text part adds ``limit:header_bytes`` or
    ``limit:text_bytes`` (through :meth:`flag`, the one writer of :class:`~dsnparse.limits.LimitHit`
    values), and the pipeline adds ``limit:recipients``. So ``Report.defects`` lists the limits
    hit by what the pipeline read, which is what the records rest on: a cut part no reader
    looked at did not change any record. (The stdlib parser fixes its defects at parse time;
    dsnparse decodes lazily to stay fast, and keeps the list honest about what it decoded.)
    """

    def __init__(self, message: Message, limits: Limits = DEFAULT_LIMITS, defects: list[str] | None = None):
        self.message = message
        self.limits = limits
        self.defects: list[str] = defects if defects is not None else []
        self._memo: dict[Callable[[Mail], object], object] = {}
        self._decoded: dict[str, str] = {}
        self._decoded_all: dict[str, tuple[str, ...]] = {}

    def memo(self, compute: Callable[[Mail], _T]) -> _T:
        """``compute(self)``, computed on first use and then kept with this message (keyed by
        ``compute``): for values the decoders derive from a message over and over."""
        value = self._memo.get(compute, _UNSET)
        if value is _UNSET:
            value = self._memo[compute] = compute(self)
        return value  # type: ignore[return-value]  # stored by compute

    # -- headers of the bounce itself ---------------------------------------------------------
    def header(self, name: str) -> str:
        """A decoded header of the bounce message (empty string when absent); decoded once per name."""
        decoded = self._decoded
        value = decoded.get(name)
        if value is None:
            value = decoded[name] = self._decode_header(raw_header(self.message, name))
        return value

    def header_all(self, name: str) -> list[str]:
        """Every decoded value of a header of the bounce message (decoded once per name)."""
        values = self._decoded_all.get(name)
        if values is None:
            values = self._decoded_all[name] = tuple(self._decode_header(v) for v in raw_headers(self.message, name))
        return list(values)

    def raw(self, name: str) -> str | None:
        """The first value of a header of the bounce as the parser holds it (not decoded), None
        when absent: for presence tests and patterns written against the undecoded text."""
        value = self.message.get(name)
        return None if value is None else str(value)

    @lazy
    def received(self) -> tuple[str, ...]:
        """The bounce's own Received headers, undecoded, newest first: the one reader of them."""
        return tuple(str(v) for v in self.message.get_all("received", []))

    @lazy
    def boundary(self) -> str:
        """The bounce's top-level MIME boundary parameter (empty when none)."""
        return str(self.message.get_param("boundary", "") or "")

    @lazy
    def from_daemon(self) -> bool:
        """True when the bounce's From is a daemon's (MAILER-DAEMON, postmaster, Mail Delivery
        System...): the one daemon-sender test (:func:`.phrases.is_daemon` on :attr:`sender`)."""
        return is_daemon(self.sender)

    @lazy
    def header_names(self) -> frozenset[str]:
        """The lower-cased names of the bounce's own headers."""
        if isinstance(self.message, IndexedMessage):
            return self.message.header_names()
        return frozenset(k.lower() for k in self.message.keys())  # noqa: SIM118 - keys() does not decode values

    def _decode_header(self, value: object) -> str:
        """:func:`decode_header` under this message's limit, flagging a value that was cut."""
        if value is None:
            return ""
        text = str(value)
        if len(text) > self.limits.max_header_bytes:
            self.flag(LimitHit.HEADER_BYTES)
        return decode_header(text, self.limits.max_header_bytes)

    @lazy
    def subject(self) -> str:
        """The bounce's Subject, decoded."""
        return self.header("subject")

    @lazy
    def sender(self) -> str:
        """The bounce's From, decoded and lower-cased (``mailer-daemon@...``)."""
        return self.header("from").lower()

    @lazy
    def content_type(self) -> str:
        """The bounce's top-level content type."""
        return self.message.get_content_type()

    @lazy
    def report_type(self) -> str:
        """``report-type`` of a top-level multipart/report, lower-cased, else empty."""
        if self.content_type != "multipart/report":
            return ""
        return str(self.message.get_param("report-type", "") or "").strip().lower()

    # -- parts --------------------------------------------------------------------------------
    @lazy
    def parts(self) -> list[Message]:
        """The bounce's own leaf parts in order, not descending into attached messages."""
        out: list[Message] = []
        stack: list[tuple[Message, int]] = [(self.message, 0)]
        while stack:
            part, depth = stack.pop()
            if len(out) >= self.limits.max_parts:
                self.flag(LimitHit.PARTS)
                break
            if part.is_multipart() and part.get_content_type().startswith("multipart/"):
                payload = part._payload  # type: ignore[attr-defined]  # a list: is_multipart
                if depth >= self.limits.max_depth:
                    self.flag(LimitHit.DEPTH)
                    continue
                stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))
            else:
                out.append(part)
        return out

    def flag(self, hit: LimitHit) -> None:
        """Note that a limit was hit (once), in :attr:`defects`."""
        flag(self.defects, hit)

    @lazy
    def dsn_texts(self) -> list[str]:
        """The text of each delivery-status part (RFC 3464 / RFC 6533), decoded."""
        return [part_text(p, self.limits.max_text_bytes) for p in self.parts if p.get_content_type() in DSN_TYPES]

    @lazy
    def original_part(self) -> Message | None:
        """The part that returns the original message or its headers, if any."""
        for p in self.parts:
            if p.get_content_type() in ORIGINAL_TYPES:
                return p
        return None

    @lazy
    def _text_parts(self) -> list[Message]:
        return [
            p
            for p in self.parts
            if p.get_content_maintype() == "text"
            and p.get_content_type() not in ORIGINAL_TYPES
            and not _is_attachment(p)
        ]

    @lazy
    def body(self) -> str:
        """The human-readable text of the bounce: its text parts outside the returned message,
        decoded and joined (HTML reduced to text when there is no plain part)."""
        plain = [p for p in self._text_parts if p.get_content_subtype() != "html"]
        chosen = plain or self._text_parts
        texts = []
        budget = self.limits.max_text_bytes
        for p in chosen:
            t = part_text(p, budget)
            if p.get_content_subtype() == "html":
                t = _html_to_text(t)
            texts.append(t)
            budget -= len(t)
            if budget <= 0:
                self.flag(LimitHit.TEXT_BYTES)
                break
        return "\n".join(texts)

    @lazy
    def _split_body(self) -> tuple[str, str | None]:
        return split_inline_original(self.body)

    @lazy
    def report_text(self) -> str:
        """:attr:`body` cut before an original message quoted inline (its headers and body)."""
        return self._split_body[0]

    @lazy
    def original(self) -> Message | None:
        """Headers of the returned original message (attached, or quoted inline), else None."""
        part = self.original_part
        if part is not None:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                inner = payload[0]
                if len(inner) and _transfer_encoding(part) not in _ENCODED:
                    return inner
                body = inner.get_payload()
                text = body if isinstance(body, str) else ""
                if _transfer_encoding(part) in _ENCODED:
                    text = part_text(part, self.limits.max_text_bytes)
                return _parse_headers(text)
            return _parse_headers(part_text(part, self.limits.max_text_bytes))
        inline = self._split_body[1]
        return _parse_headers(inline) if inline else None

    def original_header(self, name: str) -> str:
        """A decoded header of the returned original message (empty when absent); decoded once
        per name."""
        key = "\0" + name.lower()  # beside the bounce's own headers in one cache
        decoded = self._decoded
        value = decoded.get(key)
        if value is None:
            orig = self.original
            value = decoded[key] = "" if orig is None else self._decode_header(raw_header(orig, name))
        return value


def attached_mail(msg: Message, limits: Limits = DEFAULT_LIMITS) -> Mail:
    """A :class:`Mail` of an attached message (``message/rfc822``), for reading it as a bounce of
    its own. :func:`load` keeps an attached message's body as text (the analysis reads only its
    headers), so one with a MIME structure is parsed again here, in full."""
    if msg.get_content_maintype() in ("multipart", "message") and not msg.is_multipart():
        return load(_serialize(msg).encode("utf-8", "surrogateescape"), limits)
    return Mail(msg, limits)


def raw_headers(msg: Message, name: str) -> list[str]:
    """Every value of a header as it was read. ``Message.get`` under compat32 turns a value with
    undeclared 8-bit bytes into a ``Header`` whose text has them replaced by U+FFFD; the raw value
    keeps them (as surrogate escapes) for :func:`decode_header` to decode."""
    values = msg.get_all(name, [])
    if not any(isinstance(v, email.header.Header) for v in values):
        return [str(v) for v in values]
    wanted = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]


def raw_header(msg: Message, name: str) -> str | None:
    """The first value of a header as it was read (see :func:`raw_headers`), else None."""
    value = msg.get(name)
    if value is None or not isinstance(value, email.header.Header):
        return value if value is None else str(value)
    found = raw_headers(msg, name)
    return found[0] if found else None


def _is_attachment(part: Message) -> bool:
    disp = str(part.get("content-disposition", "")).lower()
    return disp.startswith("attachment") and part.get_content_subtype() not in ("plain", "html")


def _parse_headers(text: str) -> Message | None:
    if not text.strip():
        return None
    text = text.lstrip("\ufeff\n")
    msg = mime.parse(text, headersonly=True) or email.parser.HeaderParser(policy=POLICY).parsestr(text)
    return msg if len(msg) else None


def load(message: bytes | str | IO[bytes] | Message, limits: Limits = DEFAULT_LIMITS) -> Mail:
    """Turn any accepted input into a :class:`Mail`. Raises :class:`InputError` for other types."""
    defects: list[str] = []
    if isinstance(message, Message):
        return Mail(message, limits, defects)
    if isinstance(message, str):
        message = message.encode("utf-8", "surrogateescape")
    elif hasattr(message, "read"):
        message = _read_cut(cast(IO[bytes], message), limits, defects)
    if not isinstance(message, bytes | bytearray | memoryview):
        raise InputError(f"expected bytes, str, a binary file or email.message.Message, got {type(message).__name__}")
    raw, hits = cut(bytes(message), limits)
    for name in hits:
        flag(defects, LimitHit(f"limit:{name}"))
    raw = normalize_newlines(raw.removeprefix(_BOM))
    msg = _repair_boundary(_parse_bytes(raw, limits, defects), limits, defects)
    defects.extend(type(d).__name__ for d in msg.defects)
    return Mail(msg, limits, defects)


def _read_cut(stream: IO[bytes], limits: Limits, defects: list[str]) -> bytes:
    """A binary stream read in bounded pieces through a :class:`~dsnparse.cut.Cutter`: a message
    larger than ``max_message_bytes`` is cut part by part as it is read, never held whole."""
    cutter = Cutter(limits)
    try:
        while not cutter.full and (piece := stream.readline(LINE_PIECE)):
            cutter.feed(piece.encode("utf-8", "surrogateescape") if isinstance(piece, str) else piece)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read message: {exc}") from exc
    raw, hits = cutter.result()
    for name in hits:
        flag(defects, LimitHit(f"limit:{name}"))
    return raw


def _parse_bytes(raw: bytes, limits: Limits, defects: list[str]) -> Message:
    """The compat32 parse (:func:`dsnparse.mime.parse`, else the stdlib parser), pruned
    (:func:`_prune`). A structure nested deeper than the stdlib parser can recurse is cut before
    the part that exceeds ``max_depth``, else read as headers only (flag ``limit:depth``)."""
    fast = mime.parse(raw.decode("ascii", "surrogateescape"), nested_bodies=False)
    if fast is not None:
        return _prune(fast, limits, defects)
    try:
        return _prune(email.message_from_bytes(raw, policy=POLICY), limits, defects)
    except RecursionError:
        flag(defects, LimitHit.DEPTH)
    starts = [m.start() for m in islice(_NESTING_TYPE.finditer(raw), limits.max_depth + 1)]
    if len(starts) > limits.max_depth:
        try:
            return _prune(email.message_from_bytes(raw[: starts[-1]], policy=POLICY), limits, defects)
        except RecursionError:
            pass
    return _prune(email.parser.BytesParser(policy=POLICY).parsebytes(raw, headersonly=True), limits, defects)


def _repair_boundary(msg: Message, limits: Limits, defects: list[str]) -> Message:
    """A multipart message whose declared boundary never occurs in its body (a relay rewrote
    one of the two) is read again with the delimiter the body does use, when that delimiter
    also closes or separates parts; otherwise the message is returned as parsed."""
    payload = msg.get_payload()
    if msg.get_content_maintype() != "multipart" or not isinstance(payload, str):
        return msg
    m = _BOUNDARY_LINE.search(payload)
    if not m or payload.count("\n--" + m.group(1), m.end()) == 0:
        return msg
    msg.set_boundary(m.group(1))
    # written back by hand: the stdlib generator refuses some header values it parsed itself
    # (a value holding \x1e or U+2028, which str.splitlines breaks on, "contains an embedded header")
    head = "".join(f"{name}: {value}\n" for name, value in msg.raw_items())
    defects.append("BoundaryRepaired")
    return _parse_bytes((head + "\n" + payload).encode("utf-8", "surrogateescape"), limits, defects)


def _prune(msg: Message, limits: Limits, defects: list[str]) -> Message:
    """Cut a parsed tree, in place, to ``max_depth`` levels and ``max_parts`` parts.

    No later walk over it (recursive or not) then goes deeper or longer (flags
    ``limit:depth``/``parts``). The same walk drops unusable charsets
    (:func:`_drop_unusable_charset`), so the tree is visited once.
    """
    seen = 0
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        _drop_unusable_charset(part, defects)
        if not part.is_multipart():
            continue
        payload = part.get_payload()
        if not isinstance(payload, list) or not payload or part.get_content_type() in DSN_TYPES:
            continue  # a delivery-status part's list holds its field groups, bounded by max_recipients
        if depth >= limits.max_depth:
            part.set_payload([])
            flag(defects, LimitHit.DEPTH)
            continue
        room = max(limits.max_parts - seen, 0)
        if len(payload) > room:
            del payload[room:]
            flag(defects, LimitHit.PARTS)
        seen += len(payload)
        stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))
    return msg


def _drop_unusable_charset(part: Message, defects: list[str]) -> None:
    """Drop the ``charset`` parameter of 8-bit text that no text codec can honour, flagged
    ``BadCharset``.

    The stdlib's ``get_payload`` decodes 8-bit text with it and would raise (``undefined``,
    ``idna``, RFC 2231 values it cannot read); ASCII text never meets its charset there.
    """
    text = part._payload  # type: ignore[attr-defined]
    if not isinstance(text, str) or text.isascii():
        return
    ctype = part.get("content-type")  # parse the parameters only when one can be a charset
    charset = part.get_param("charset") if ctype is not None and "charset" in str(ctype).lower() else None
    if charset is not None and (not isinstance(charset, str) or _codec(charset) is None):
        part.del_param("charset")
        if "BadCharset" not in defects:
            defects.append("BadCharset")
