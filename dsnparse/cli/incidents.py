"""``dsnparse incidents``: sender- and content-side incidents from files or a store (wiring only;
the grouping is :func:`dsnparse.incidents.incidents`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

from ..incidents import INCIDENT_FIELDS, Incident, incidents
from ..io.parallel import default_jobs, outcomes
from ..io.sinks import CsvSink, TableSink, terminal_safe
from ..io.sources import read_paths
from ..io.store import Store, iso
from ..limits import DEFAULT_LIMITS
from ..record import BounceRecord, record_time
from .mailbox import _open_store
from .options import add_paths

TABLE_COLUMNS = ("provider", "side", "cause", "identity", "first_seen", "last_seen", "end", "messages", "recipients")
"""The table's columns; each incident's advice follows the table on a line of its own."""


def _since(text: str) -> datetime:
    moment = record_time(text)
    if moment is None:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}")
    return moment


def _latest(store: Store) -> datetime | None:
    """The store's latest record time, the incidents' "now" (``None`` when it has none or it is unreadable)."""
    return record_time(store.latest())


def _from_paths(paths: list[str]) -> Iterator[BounceRecord]:
    items = read_paths(paths, DEFAULT_LIMITS)
    for out in outcomes(items, jobs=default_jobs()):
        if out.error is not None:
            sys.stderr.write(f"dsnparse incidents: {out.source}: {out.error}\n")
        for record in out.records:
            yield BounceRecord.from_dict(record)


def _write(found: list[Incident], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps([i.to_dict() for i in found], indent=2) + "\n")
    elif fmt == "csv":
        sink = CsvSink(sys.stdout, INCIDENT_FIELDS)
        for incident in found:
            sink.write(incident.to_dict())
        sink.close()
    elif found:
        table = TableSink(sys.stdout, TABLE_COLUMNS, width=None)
        for incident in found:
            table.write(incident.to_dict())
        table.close()
        sys.stdout.write("\n" + "".join(f"- {terminal_safe(i.advice, 400)}\n" for i in found))
    else:
        sys.stdout.write("no sender- or content-side incidents\n")


def _incidents_parser() -> argparse.ArgumentParser:
    """``dsnparse incidents``'s options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse incidents",
        description="Group sender- and content-side failures (blocklists, reputation, authentication, rate "
        "limits, spam content...) into incidents per receiving provider, cause and sending identity.",
    )
    add_paths(ap)
    ap.add_argument("--db", metavar="FILE", help="read the records of this store instead of PATHs")
    ap.add_argument("--since", type=_since, metavar="DATE", help="only failures at or after this ISO 8601 date or time")
    ap.add_argument("--quiet", type=float, default=6.0, metavar="HOURS",
                    help="an incident ends after this many hours without a failure (default 6)")
    ap.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format (default table)")
    return ap


def incidents_command(argv: list[str]) -> int:
    """``dsnparse incidents [PATH... | --db FILE] [--since DATE] [--quiet HOURS] [--format ...]``."""
    ap = _incidents_parser()
    args = ap.parse_args(argv)
    if args.quiet <= 0:
        ap.error("--quiet must be positive")
    if args.db and args.paths:
        ap.error("give PATHs or --db, not both")
    quiet = timedelta(hours=args.quiet)
    if args.db:
        if not os.path.exists(args.db):
            raise SystemExit(f"dsnparse incidents: no store at {args.db}")
        with _open_store(args.db, "incidents") as store:
            found = incidents(store.timeline(iso(args.since) if args.since else None), quiet=quiet, since=args.since,
                              now=_latest(store))
    else:
        found = incidents(_from_paths(args.paths or ["-"]), quiet=quiet, since=args.since)
    _write(found, args.format)
    return 0


COMMANDS = {"incidents": incidents_command}
"""The subcommand of this module, merged into :data:`dsnparse.cli.COMMANDS`."""
PARSERS = {"incidents": _incidents_parser}
"""Its argument parser (for shell completion and the man page)."""
