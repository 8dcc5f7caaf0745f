"""Parsing many messages: in worker processes for ``dsnparse -j N``, and per partition for engines.

:func:`outcomes` turns a stream of :class:`~dsnparse.sources.Item` values into one
:class:`Parsed` per item, **in input order**. With ``jobs > 1`` the items are cut into batches
(a few dozen messages or about a megabyte) that worker processes parse; at most a few batches per
worker are in flight, so memory stays bounded by the batch size, never by the size of the
mailbox. An input of less than two batches is parsed in this process, without starting workers.

:func:`records_of_blobs` is the unit for Spark's ``binaryFiles(...).mapPartitions``: raw files in
(single messages or whole mbox files), record dicts out. The core is pure, so each worker simply
calls :func:`dsnparse.parse` on its share.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

from ..classify.codes import CodeTable
from ..core import parse, unparsed_report, with_limits
from ..errors import DsnparseError
from ..limits import Limits
from ..record import Kind, Report
from .sources import Item, looks_like_mbox, read_mbox

BATCH_MESSAGES = 64
"""Most messages sent to a worker at once."""
BATCH_BYTES = 1 << 20
"""A batch is sent once its messages add up to this many bytes."""
BATCHES_PER_WORKER = 3
"""Batches in flight per worker: enough to keep workers busy, few enough to bound memory."""


class Parsed(NamedTuple):
    """What became of one input message.

    ``error`` is set when the message could not be read (``unreadable``) or parsed; a message
    that could not be parsed still carries its ``unparsed`` record in ``records``.
    """

    source: str
    kind: str
    """The report's :class:`~dsnparse.record.Kind` value (``failure``, ``not_bounce``...)."""
    records: tuple[dict[str, Any], ...]
    """``BounceRecord.to_dict()`` of each record, in report order."""
    error: str | None = None
    unreadable: bool = False
    limits: tuple[str, ...] = ()
    """The limits the message hit (``message_bytes``...), read or parsed."""


class Options(NamedTuple):
    """What :func:`dsnparse.parse` needs besides the message, shared by every item."""

    table: CodeTable | None = None
    original_headers: tuple[str, ...] = ()
    limits: Limits | None = None


def default_jobs() -> int:
    """The number of cores this process may run on (``dsnparse -j`` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


DEFAULT_OPTIONS = Options()
"""The default code table, no extra headers, the default limits."""


def outcome(item: Item, options: Options = DEFAULT_OPTIONS) -> Parsed:
    """Parse one item (never raising on bad input)."""
    if item.raw is None:
        return Parsed(item.source, str(Kind.NOT_BOUNCE), (), item.error or "cannot read", unreadable=True)
    error: str | None = None
    try:
        report = parse_item(item, options)
    except DsnparseError as exc:
        error = str(exc)
        report = unparsed_report(item.source, exc)
    except Exception as exc:  # a parser bug: one message must never stop a batch; named, exit 1
        error = f"internal error: {type(exc).__name__}: {exc}"
        report = unparsed_report(item.source, exc)
    hits = tuple(d.removeprefix("limit:") for d in report.defects if d.startswith("limit:"))
    return Parsed(item.source, str(report.kind), tuple(r.to_dict() for r in report.records), error, limits=hits)


def parse_item(item: Item, options: Options = DEFAULT_OPTIONS) -> Report:
    """The report of an item that was read (``item.raw`` set), with the limits the source hit
    reading it; raises what :func:`dsnparse.parse` raises."""
    report = parse(
        item.raw or b"",
        source=item.source,
        table=options.table,
        original_headers=options.original_headers,
        limits=options.limits,
    )
    return with_limits(report, item.cut) if item.cut else report


def _parse_batch(batch: list[Item], options: Options) -> list[Parsed]:
    return [outcome(item, options) for item in batch]


def _batches(items: Iterable[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    size = 0
    for item in items:
        batch.append(item)
        size += len(item.raw) if item.raw is not None else 0
        if len(batch) >= BATCH_MESSAGES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _context() -> Any:
    """``fork`` where the platform has it: workers inherit the loaded tables instead of
    re-importing them (the pool starts its processes before any thread)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def outcomes(
    items: Iterable[Item],
    *,
    jobs: int = 1,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
) -> Iterator[Parsed]:
    """One :class:`Parsed` per item, in input order, parsed by ``jobs`` worker processes
    (``jobs <= 1``: in this process). Lazy: items are read only as results are consumed."""
    options = Options(table, tuple(original_headers), limits)
    if jobs <= 1:
        for item in items:
            yield outcome(item, options)
        return
    batches = _batches(items)
    first = next(batches, None)
    if first is None:
        return
    following = next(batches, None)
    if following is None:  # too small to be worth starting workers
        yield from _parse_batch(first, options)
        return
    yield from _pooled(_chain(first, following, batches), jobs, options)


def _chain(first: list[Item], second: list[Item], rest: Iterator[list[Item]]) -> Iterator[list[Item]]:
    yield first
    yield second
    yield from rest


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context())


_WARM_UP = (
    b"From: MAILER-DAEMON@mx.example.org\nTo: sender@example.com\nSubject: Undelivered Mail\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
    b"--b\nContent-Type: text/plain\n\nThe message could not be delivered.\n"
    b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    b"Final-Recipient: rfc822; user@example.net\nAction: failed\nStatus: 5.1.1\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
    b"--b\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nSubject: hi\n\nhi\n--b--\n"
)
"""A small bounce parsed before the workers start: the tables every decoder and the classifier
load on first use are then loaded once, in this process, and inherited by forked workers."""


def _pooled(batches: Iterator[list[Item]], jobs: int, options: Options) -> Iterator[Parsed]:
    window = jobs * BATCHES_PER_WORKER
    outcome(Item("warm-up", _WARM_UP), options)
    pool = _pool(jobs)
    pending: deque[tuple[list[Item], Future[list[Parsed]]]] = deque()
    try:
        for batch in batches:
            pending.append((batch, pool.submit(_parse_batch, batch, options)))
            while len(pending) >= window:
                pool = yield from _head(pending, pool, jobs, options)
        while pending:
            pool = yield from _head(pending, pool, jobs, options)
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _head(
    pending: deque[tuple[list[Item], Future[list[Parsed]]]], pool: ProcessPoolExecutor, jobs: int, options: Options
) -> Generator[Parsed, None, ProcessPoolExecutor]:
    """Yield the outcomes of the oldest batch; return the pool to go on with.

    When a worker died (killed, out of memory), every batch that was in flight is run again on
    its own, and a batch that kills its worker again message by message, so that only the
    message that kills a worker is lost (reported as unreadable)."""
    batch, future = pending.popleft()
    try:
        yield from future.result()
        return pool
    except BrokenProcessPool:
        pool.shutdown(wait=False, cancel_futures=True)
    suspects = [batch, *(b for b, _ in pending)]
    pending.clear()
    pool = _pool(jobs)
    for suspect in suspects:
        try:
            yield from pool.submit(_parse_batch, suspect, options).result()
            continue
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            pool = _pool(jobs)
        for item in suspect:
            try:
                yield from pool.submit(_parse_batch, [item], options).result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(jobs)
                yield Parsed(item.source, str(Kind.NOT_BOUNCE), (), "a worker process died parsing this message", True)
    return pool


def records_of_blobs(
    blobs: Iterable[tuple[str, bytes]],
    *,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
) -> Iterator[dict[str, Any]]:
    """Record dicts of raw files given as ``(path, content)`` pairs, as Spark's ``binaryFiles``
    yields them: a file holding an mbox gives the records of each of its messages (sources
    ``path#N``). Picklable top-level function for ``rdd.mapPartitions``; never raises on bad
    input (an unparsable message gives its ``unparsed`` record)."""
    options = Options(table, tuple(original_headers))
    for path, content in blobs:
        raw = bytes(content)
        mbox = looks_like_mbox(raw[:4096])
        items: Iterable[Item] = read_mbox(io.BytesIO(raw), path) if mbox else (Item(path, raw),)
        for item in items:
            yield from outcome(item, options).records
