"""Dask: bounce archives as a :class:`dask.bag.Bag` of record dicts (``pip install dsnparse[dask]``).

>>> from dsnparse.dask import read_bounces                               # doctest: +SKIP
>>> bag = read_bounces(["archive/2025-*.mbox", "spool/**/*.eml"])        # doctest: +SKIP
>>> bag.filter(lambda r: r["suppress"]).pluck("recipient").distinct().compute()  # doctest: +SKIP

Paths are files, directories (read like the CLI reads them: recursively, Maildir aware) or glob
patterns (``**`` recurses). Small files are grouped into partitions of about
:data:`PARTITION_BYTES`; each large file (a big mbox) is a partition of its own, streamed message
by message by the worker that reads it. Records come in path order within each partition, with
the same ``source`` keys as the CLI (``path#N`` for mbox messages).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from ..classify.codes import CodeTable
from .extras import require
from .parallel import Options, outcome
from .sources import is_maildir, read_paths

require("dask.bag", "dask", "dsnparse.io.dask")
import dask.bag  # noqa: E402 - after the check that says what to install when it is missing

_from_sequence: Callable[..., Any] = dask.bag.from_sequence  # untyped in dask

PARTITION_BYTES = 64 << 20
"""Target bytes of input per partition (a larger file is a partition of its own)."""


def expand(paths: str | Iterable[str]) -> list[str]:
    """Files named by paths, directories and glob patterns, in order, without repeats."""
    if isinstance(paths, str):
        paths = [paths]
    out: dict[str, None] = {}
    for pattern in paths:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        for path in matches:
            for f in _files(path):
                out.setdefault(f, None)
    return list(out)


def _files(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    if is_maildir(path):
        folders = [os.path.join(path, "new"), os.path.join(path, "cur")]
        return [f for d in folders for f in sorted(os.path.join(d, n) for n in os.listdir(d)) if os.path.isfile(f)]
    out: list[str] = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name.endswith(".json"):
            continue
        if entry.is_dir(follow_symlinks=False):
            out.extend(_files(entry.path))
        elif entry.is_file():
            out.append(entry.path)
    return out


def partitions(files: Sequence[str], target: int = PARTITION_BYTES) -> list[list[str]]:
    """Files grouped in order into partitions of about ``target`` bytes."""
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for f in files:
        try:
            n = os.path.getsize(f)
        except OSError:
            n = 0
        if current and size + n > target:
            groups.append(current)
            current, size = [], 0
        current.append(f)
        size += n
    if current:
        groups.append(current)
    return groups


def records_of_files(files: Iterable[str], options: Options) -> list[dict[str, Any]]:
    """The record dicts of every message in these files (the work of one partition). A file
    that cannot be read is skipped; a message that cannot be parsed gives its ``unparsed``
    record."""
    out: list[dict[str, Any]] = []
    for item in read_paths(files):
        if item.raw is not None:
            out.extend(outcome(item, options).records)
    return out


def read_bounces(
    paths: str | Iterable[str],
    *,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    partition_bytes: int = PARTITION_BYTES,
) -> dask.bag.Bag:
    """A bag of the record dicts (``BounceRecord.to_dict()``) of every message under ``paths``.

    ``table`` and ``original_headers`` are as for :func:`dsnparse.parse`. Nothing is read until
    the bag is computed, except the file sizes used to plan partitions.
    """
    groups = partitions(expand(paths), partition_bytes)
    options = Options(table, tuple(original_headers))
    if not groups:
        return cast(dask.bag.Bag, _from_sequence([], npartitions=1))
    return cast(dask.bag.Bag, _from_sequence(groups, npartitions=len(groups)).map_partitions(_partition, options))


def _partition(groups: list[list[str]], options: Options) -> list[dict[str, Any]]:
    return [record for files in groups for record in records_of_files(files, options)]
