"""``dsnparse report``: what is happening to the mail, as a terminal table, JSON, CSV or an HTML page.

Wiring only: the counting is :mod:`dsnparse.summary` (through :mod:`dsnparse.io.reporting`), the
output :mod:`dsnparse.io.report_formats` and :mod:`dsnparse.io.report_html`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, TextIO

from ..io import report_formats
from ..io.parallel import default_jobs
from ..io.reporting import Counted, from_items, from_store
from ..io.sources import read_paths
from ..io.store import Store, iso
from ..summary import Table, parse_since
from ..suppression import Policy
from .options import (
    RecordOptions,
    add_paths,
    add_policy_options,
    add_record_options,
    not_negative,
    policy_options,
    record_options,
)

Writer = Callable[[list[Table], dict[str, Any], TextIO], None]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="dsnparse report",
        description="Count bounces by kind, reason, side, hard/soft, receiving provider, recipient domain, "
        "time and any header of the original message; list the suppressions added. Reads messages "
        "(files, directories, mbox, Maildir, - for stdin) or a store (--db).",
    )
    add_paths(ap)
    ap.add_argument("--db", metavar="FILE", help="report on a SQLite store (dsnparse ingest / imap) instead")
    ap.add_argument("--since", metavar="WHEN",
                    help="leave out what is older: an ISO date or time (UTC unless it says), or 7d, 12h, 30m ago")
    ap.add_argument("--format", choices=report_formats.FORMATS, default="table", help="output format (default table)")
    ap.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)")
    ap.add_argument("-j", "--jobs", type=not_negative, default=0, metavar="N",
                    help="worker processes parsing the messages (default 0: one per core)")
    add_policy_options(ap, "suppression policy (with --db)")
    add_record_options(ap)
    return ap


def report_command(argv: list[str]) -> int:
    """``dsnparse report [PATH... | --db FILE] [--since WHEN] [--header NAME]... [--format F] [-o FILE]``."""
    ap = _parser()
    args = ap.parse_args(argv)
    options = record_options(ap, args)
    if bool(args.paths) == bool(args.db):
        ap.error("give either paths to read or --db FILE")
    now = datetime.now(UTC)
    try:
        since = parse_since(args.since, now) if args.since else None
        policy = policy_options(args)
    except ValueError as exc:
        ap.error(str(exc))
    writer = _writer(args.format)
    if writer is None:
        return 2
    counted = _count(args, options, since, policy)
    if counted is None:
        return 2
    period = {
        "source": args.db or " ".join(args.paths), "since": since, "first": counted.counters.first,
        "last": counted.counters.last, "generated": iso(now),
    }
    with ExitStack() as stack:
        out = stack.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else sys.stdout
        writer(counted.tables(), period, out)
    return 1 if counted.errors else 0


def _writer(fmt: str) -> Writer | None:
    if fmt != "html":
        writers: dict[str, Writer] = {
            "table": report_formats.write_table, "json": report_formats.write_json, "csv": report_formats.write_csv,
        }
        return writers[fmt]
    try:
        from ..io.report_html import write_html
    except ImportError as exc:
        sys.stderr.write(f"dsnparse report: --format html needs the report extra ({exc.name} is missing): "
                         "pip install 'dsnparse[report]'\n")
        return None
    return write_html


def _count(args: argparse.Namespace, options: RecordOptions, since: str | None, policy: Policy) -> Counted | None:
    if args.db:
        if not os.path.exists(args.db):
            sys.stderr.write(f"dsnparse report: no store at {args.db}\n")
            return None
        with Store(args.db) as store:
            return from_store(store, header_names=args.header, since=since, policy=policy)

    def named(source: str, error: str) -> None:
        sys.stderr.write(f"dsnparse: {source}: {error}\n")

    return from_items(
        read_paths(args.paths, options.limits), header_names=list(options.headers), since=since,
        jobs=args.jobs if args.jobs > 0 else default_jobs(), table=options.table, limits=options.limits,
        on_error=named,
    )


COMMANDS = {"report": report_command}
"""The subcommands of this module, merged into :data:`dsnparse.cli.COMMANDS`."""
PARSERS = {"report": _parser}
"""Its argument parser (for shell completion and the man page)."""
