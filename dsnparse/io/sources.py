"""Sources: where raw messages come from (files, directories, mbox, Maildir, stdin), streamed.

Each source yields :class:`Item` values: a source key and the raw bytes of one message, or the
error that kept it from being read. Memory is bounded by the largest single message, never by the
size of a mailbox; with ``max_bytes`` only about that many leading bytes of a message are kept
(the rest is skipped, not loaded), so a giant file or mbox message cannot exhaust memory. Sources never
parse: they hand bytes to the core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

_MBOX_FROM = b"From "
_MAX_LINE_PEEK = 4096


@dataclass(frozen=True, slots=True)
class Item:
    """One message from a source: its key and bytes, or why it could not be read."""

    source: str
    raw: bytes | None = None
    error: str | None = None


def is_maildir(path: str) -> bool:
    """True for a Maildir folder (it has ``cur`` and ``new`` subfolders)."""
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def looks_like_mbox(head: bytes) -> bool:
    """True when a file starts with an mbox ``From `` separator line."""
    if not head.startswith(_MBOX_FROM):
        return False
    first = head.split(b"\n", 1)[0]
    return b"@" in first or len(first.split()) >= 3


def read_mbox(fh: BinaryIO, path: str, max_bytes: int | None = None) -> Iterator[Item]:
    """Messages of an mbox stream, one at a time (``path`` for a single message, else
    ``path#N`` counting from 1). ``>From `` quoting (mboxrd/mboxo) is undone. With ``max_bytes``
    a message keeps only about that many leading bytes."""
    pending: bytes | None = None
    count = 0
    current: list[bytes] = []
    size = 0
    started = False

    def finish(lines: list[bytes]) -> bytes:
        out = []
        for line in lines:
            stripped = line.lstrip(b">")
            if line.startswith(b">") and stripped.startswith(_MBOX_FROM):
                line = line[1:]
            out.append(line)
        return b"".join(out)

    prev_blank = True
    for line in fh:
        if line.startswith(_MBOX_FROM) and prev_blank:
            if started:
                msg = finish(current)
                count += 1
                if pending is not None:
                    yield Item(f"{path}#{count - 1}", pending)
                pending = msg
            current, started, size = [line], True, len(line)
        else:
            if not started:
                current, started, size = [line], True, len(line)
            elif max_bytes is None or size < max_bytes:
                current.append(line)
                size += len(line)
        prev_blank = line in (b"\n", b"\r\n")
    if started:
        msg = finish(current)
        count += 1
        if pending is not None:
            yield Item(f"{path}#{count - 1}", pending)
            yield Item(f"{path}#{count}", msg)
        else:
            yield Item(path, msg)


def read_file(path: str, max_bytes: int | None = None) -> Iterator[Item]:
    """A file: one message, or every message of an mbox (detected by content); with
    ``max_bytes``, at most that many bytes of each message are read."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, generator keeps it open while streaming
    except OSError as exc:
        yield Item(path, error=f"cannot open: {exc.strerror or exc}")
        return
    with fh:
        try:
            head = fh.peek(_MAX_LINE_PEEK)[:_MAX_LINE_PEEK] if hasattr(fh, "peek") else b""
            if looks_like_mbox(head):
                yield from read_mbox(fh, path, max_bytes)
            else:
                yield Item(path, fh.read() if max_bytes is None else fh.read(max_bytes))
        except OSError as exc:
            yield Item(path, error=f"cannot read: {exc.strerror or exc}")


def read_maildir(path: str, max_bytes: int | None = None) -> Iterator[Item]:
    """Messages of a Maildir folder (``new`` then ``cur``, sorted by name)."""
    for sub in ("new", "cur"):
        folder = os.path.join(path, sub)
        for name in sorted(os.listdir(folder)):
            full = os.path.join(folder, name)
            if os.path.isfile(full):
                yield from read_file(full, max_bytes)


def read_directory(path: str, max_bytes: int | None = None) -> Iterator[Item]:
    """Every file below a directory (recursively, sorted), Maildir folders read as such."""
    if is_maildir(path):
        yield from read_maildir(path, max_bytes)
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
            yield from read_directory(entry.path, max_bytes)
        elif entry.is_file():
            yield from read_file(entry.path, max_bytes)


def read_stdin(stream: BinaryIO | None = None, max_bytes: int | None = None) -> Iterator[Item]:
    """Standard input: one message, or an mbox."""
    fh = stream or sys.stdin.buffer
    head = fh.peek(_MAX_LINE_PEEK)[:_MAX_LINE_PEEK] if hasattr(fh, "peek") else b""
    if looks_like_mbox(head):
        yield from read_mbox(fh, "-", max_bytes)
    else:
        yield Item("-", fh.read() if max_bytes is None else fh.read(max_bytes))


def read_paths(paths: Iterable[str], max_bytes: int | None = None) -> Iterator[Item]:
    """Messages from command-line style paths: files, directories, mbox files, Maildir, ``-``.
    ``max_bytes`` bounds what is read of each message (``Limits.max_message_bytes + 1`` lets
    the core see, and flag, that a message was longer than its limit)."""
    for path in paths:
        if path == "-":
            yield from read_stdin(max_bytes=max_bytes)
        elif os.path.isdir(path):
            yield from read_directory(path, max_bytes)
        elif os.path.exists(path):
            yield from read_file(path, max_bytes)
        else:
            yield Item(path, error="no such file or directory")
