"""Sources: where raw messages come from (files, directories, mbox, Maildir, stdin), streamed.

Each source yields :class:`Item` values: a source key and the raw bytes of one message, or the
error that kept it from being read. Files compressed with gzip, bzip2 or xz (``.gz``, ``.bz2``,
``.xz``, told by their first bytes) are read as what they hold. Memory is bounded by the largest
single message, never by the size of a mailbox: lines are read in pieces of at most
:data:`~dsnparse.cut.LINE_PIECE` bytes (a multi-gigabyte line is never held whole), and with
``limits`` a message over ``max_message_bytes`` is cut part by part as it is read
(:class:`~dsnparse.cut.Cutter`: the report parts are kept), the limits it hit on the item.
Sources never parse: they hand bytes to the core.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from ..cut import LINE_PIECE, Cutter, lines
from ..limits import Limits

_MBOX_FROM = b"From "
_MAX_LINE_PEEK = 4096
READ_ERRORS = (OSError, EOFError, lzma.LZMAError)
"""What reading a damaged or truncated (compressed) file raises."""


@dataclass(frozen=True, slots=True)
class Item:
    """One message from a source: its key and bytes, or why it could not be read."""

    source: str
    raw: bytes | None = None
    error: str | None = None
    cut: tuple[str, ...] = ()
    """The limits the message hit while it was read (``message_bytes``, ``header_bytes``)."""


def is_maildir(path: str) -> bool:
    """True for a Maildir folder (it has ``cur`` and ``new`` subfolders)."""
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def looks_like_mbox(head: bytes) -> bool:
    """True when a file starts with an mbox ``From `` separator line."""
    if not head.startswith(_MBOX_FROM):
        return False
    first = head.split(b"\n", 1)[0]
    return b"@" in first or len(first.split()) >= 3


class _Collector:
    """One message's pieces, kept as they come while within ``max_message_bytes`` (a list append
    per line); past it, handed to a :class:`~dsnparse.cut.Cutter` that cuts it part by part."""

    __slots__ = ("cap", "cutter", "limits", "pieces", "size")

    def __init__(self, limits: Limits | None):
        self.limits = limits
        self.cap = limits.max_message_bytes if limits is not None else -1
        self.pieces: list[bytes] = []
        self.size = 0
        self.cutter: Cutter | None = None

    def feed(self, piece: bytes) -> None:
        if self.cutter is not None:
            self.cutter.feed(piece)
            return
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size > self.cap >= 0 and self.limits is not None:
            self.cutter = Cutter(self.limits)
            for earlier in self.pieces:
                self.cutter.feed(earlier)
            self.pieces = []

    def item(self, source: str) -> Item:
        if self.cutter is None:
            return Item(source, b"".join(self.pieces))
        raw, cut = self.cutter.result()
        return Item(source, raw, cut=cut)


def read_mbox(fh: BinaryIO, path: str, limits: Limits | None = None) -> Iterator[Item]:
    """Messages of an mbox stream, one at a time (``path`` for a single message, else
    ``path#N`` counting from 1). ``>From `` quoting (mboxrd/mboxo) is undone. Lines are read in
    pieces of at most :data:`~dsnparse.cut.LINE_PIECE` bytes; with ``limits`` a message over
    ``max_message_bytes`` is cut part by part (:class:`~dsnparse.cut.Cutter`)."""
    pending: _Collector | None = None
    current: _Collector | None = None
    count = 0
    start = prev_blank = True
    readline = fh.readline
    while piece := readline(LINE_PIECE):
        at_start, start = start, piece.endswith(b"\n")
        if at_start and prev_blank and piece.startswith(_MBOX_FROM):
            if current is not None:
                count += 1
                if pending is not None:
                    yield pending.item(f"{path}#{count - 1}")
                pending = current
            current = _Collector(limits)
        elif current is None:
            current = _Collector(limits)
        elif at_start and piece[:1] == b">" and piece.lstrip(b">").startswith(_MBOX_FROM):
            piece = piece[1:]
        current.feed(piece)
        prev_blank = at_start and piece in (b"\n", b"\r\n")
    if current is not None:
        count += 1
        if pending is not None:
            yield pending.item(f"{path}#{count - 1}")
            yield current.item(f"{path}#{count}")
        else:
            yield current.item(path)


def _single(fh: BinaryIO, path: str, limits: Limits | None) -> Item:
    """One message: read at once when within the limit, else line by line through a cutter."""
    if limits is None:
        return Item(path, fh.read())
    head = fh.read(limits.max_message_bytes + 1)
    if len(head) <= limits.max_message_bytes:
        return Item(path, head)
    cutter = Cutter(limits)
    rest = fh.readline(LINE_PIECE)
    for piece in lines(head + rest):
        cutter.feed(piece)
    while not cutter.full and (piece := fh.readline(LINE_PIECE)):
        cutter.feed(piece)
    raw, cut = cutter.result()
    return Item(path, raw, cut=cut)


def decompressed(fh: BinaryIO) -> BinaryIO:
    """``fh`` itself, or a reader of what it holds when it starts like a gzip (RFC 1952), bzip2
    or xz stream."""
    head = fh.peek(8)[:8] if hasattr(fh, "peek") else b""
    if head.startswith(b"\x1f\x8b"):
        return cast(BinaryIO, gzip.GzipFile(fileobj=fh))
    if head.startswith(b"BZh"):
        return cast(BinaryIO, bz2.BZ2File(fh))
    if head.startswith(b"\xfd7zXZ\x00"):
        return cast(BinaryIO, lzma.LZMAFile(fh))
    return fh


def read_stream(fh: BinaryIO, path: str, limits: Limits | None = None) -> Iterator[Item]:
    """One message or an mbox from an open binary stream (decompressed when it is compressed);
    a read error ends it with an item naming the cause."""
    try:
        stream = decompressed(fh)
        head = stream.peek(_MAX_LINE_PEEK)[:_MAX_LINE_PEEK] if hasattr(stream, "peek") else b""
        if looks_like_mbox(head):
            yield from read_mbox(stream, path, limits)
        else:
            yield _single(stream, path, limits)
    except READ_ERRORS as exc:
        yield Item(path, error=f"cannot read: {getattr(exc, 'strerror', None) or exc}")


def maildir_subfolders(path: str) -> list[str]:
    """The Maildir++ subfolders of a Maildir root (``.Processed``, ``.Unparsed``: Dovecot's layout)."""
    try:
        names = sorted(e.name for e in os.scandir(path) if e.name.startswith(".") and e.is_dir())
    except OSError:
        return []
    return [n for n in names if n not in (".", "..") and is_maildir(os.path.join(path, n))]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Reader:
    """Messages from command-line style paths (files, directories, mbox files, Maildir, ``-``),
    with how far it got: :attr:`done` bytes of :meth:`total` (for a progress estimate).

    A Maildir root's Maildir++ subfolders (``.Processed``, ``.Unparsed``) are read with
    ``subfolders``; otherwise ``notice`` is told which were skipped.
    """

    def __init__(
        self,
        paths: Iterable[str],
        limits: Limits | None = None,
        *,
        subfolders: bool = False,
        notice: Callable[[str], None] | None = None,
    ):
        self.paths = list(paths)
        self.limits = limits
        self.subfolders = subfolders
        self.notice = notice
        self._finished = 0
        self._current: BinaryIO | None = None

    def total(self) -> int | None:
        """Bytes of every input file (one walk over the paths), None when stdin is an input."""
        size = 0
        for path in self.paths:
            if path == "-":
                return None
            if os.path.isdir(path):
                size += sum(_size(os.path.join(d, name)) for d, _, files in os.walk(path) for name in files)
            else:
                size += _size(path)
        return size

    @property
    def done(self) -> int:
        """Bytes of the input files read so far."""
        current = self._current
        try:
            return self._finished + (current.tell() if current is not None else 0)
        except (OSError, ValueError):
            return self._finished

    def __iter__(self) -> Iterator[Item]:
        for path in self.paths:
            if path == "-":
                yield from read_stream(sys.stdin.buffer, "-", self.limits)
            elif os.path.isdir(path):
                yield from self._directory(path)
            elif os.path.exists(path):
                yield from self._file(path)
            else:
                yield Item(path, error="no such file or directory")

    def _file(self, path: str) -> Iterator[Item]:
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, generator keeps it open while streaming
        except OSError as exc:
            yield Item(path, error=f"cannot open: {exc.strerror or exc}")
            return
        with fh:
            self._current = fh
            try:
                yield from read_stream(fh, path, self.limits)
            finally:
                self._current = None
                self._finished += os.fstat(fh.fileno()).st_size

    def _maildir(self, path: str) -> Iterator[Item]:
        for sub in ("new", "cur"):
            folder = os.path.join(path, sub)
            for name in sorted(os.listdir(folder)):
                full = os.path.join(folder, name)
                if os.path.isfile(full):
                    yield from self._file(full)
        extra = maildir_subfolders(path)
        if extra and self.subfolders:
            for name in extra:
                yield from self._maildir(os.path.join(path, name))
        elif extra and self.notice is not None:
            self.notice(f"{path}: skipped the Maildir++ subfolders {', '.join(extra)} "
                        "(--maildir-subfolders reads them)")

    def _directory(self, path: str) -> Iterator[Item]:
        if is_maildir(path):
            yield from self._maildir(path)
            return
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            yield Item(path, error=f"cannot list: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name.endswith(".json"):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from self._directory(entry.path)
            elif entry.is_file():
                yield from self._file(entry.path)


def read_paths(paths: Iterable[str], limits: Limits | None = None) -> Iterator[Item]:
    """Messages from command-line style paths: files, directories, mbox files, Maildir, ``-``
    (see :class:`Reader`); with ``limits`` each message is cut to them as it is read."""
    return iter(Reader(paths, limits))
