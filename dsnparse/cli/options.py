"""Command-line options that several commands share: one declaration of ``--header``,
``--code-table`` and ``--limit`` (the main command, ``check``, ``ingest`` and ``imap``), and the
check that turns them into what :func:`dsnparse.parse` takes."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

from ..classify.codes import CodeTable
from ..errors import CodeTableError
from ..limits import DEFAULT_LIMITS, Limits
from ..suppression import Policy

USAGE = 2
"""Exit status of a usage error (a bad option, a code table that cannot be read), everywhere."""


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """What the shared options select: the code table, the headers to copy, the limits."""

    table: CodeTable | None
    headers: tuple[str, ...]
    limits: Limits


def _limit_names() -> str:
    return ", ".join(f.name.removeprefix("max_") for f in fields(Limits))


def add_record_options(ap: argparse.ArgumentParser) -> None:
    """Declare the repeatable ``--header NAME``, ``--code-table FILE`` and repeatable ``--limit NAME=N``."""
    group = ap.add_argument_group("record options")
    group.add_argument("--header", action="append", default=[], metavar="NAME",
                       help="copy this header of the returned original message into each record (repeatable)")
    group.add_argument("--code-table", metavar="FILE",
                       help="CSV of code,bounce_type,description rows overriding the default")
    group.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                       help="raise or lower a per-message limit, e.g. --limit message_bytes=20000000 "
                       f"(repeatable; names: {_limit_names()})")


_DEFAULT_POLICY = Policy()


def add_policy_options(ap: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """Declare ``--soft-count N`` and ``--soft-days D``, the suppression policy (defaults: :class:`Policy`'s)."""
    ap.add_argument("--soft-count", type=int, default=_DEFAULT_POLICY.soft_count, metavar="N", help=help_text)
    ap.add_argument("--soft-days", type=float, default=_DEFAULT_POLICY.soft_days, metavar="D", help=help_text)


def policy_options(args: argparse.Namespace) -> Policy:
    """The suppression policy of ``--soft-count`` and ``--soft-days`` (ValueError when out of range)."""
    return Policy(soft_count=args.soft_count, soft_days=args.soft_days)


def record_options(ap: argparse.ArgumentParser, args: argparse.Namespace) -> RecordOptions:
    """The values of the shared options; a bad ``--limit`` or ``--code-table`` is a usage error
    (``ap.error``: message on stderr, exit status 2)."""
    try:
        limits = DEFAULT_LIMITS.updated(args.limit)
    except ValueError as exc:
        ap.error(str(exc))
    table: CodeTable | None = None
    if args.code_table:
        try:
            table = CodeTable.from_file(args.code_table)
        except (OSError, CodeTableError) as exc:
            ap.error(f"--code-table {args.code_table}: {exc}")
    return RecordOptions(table, tuple(args.header), limits)


def positive(text: str) -> int:
    """An ``argparse`` type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def not_negative(text: str) -> int:
    """An ``argparse`` type: an integer of at least 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer of 0 or more")
    return value


def add_paths(ap: argparse.ArgumentParser) -> None:
    """The positional ``PATH...`` of the commands that read messages."""
    ap.add_argument("paths", nargs="*", metavar="PATH",
                    help="files, directories, mbox files, Maildir folders; - for stdin")
