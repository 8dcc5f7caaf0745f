"""The command line: argument parsing and wiring of sources, the core and sinks, nothing else.

``dsnparse [PATH|-]...`` parses messages and prints records; ``dsnparse check DIR`` runs fixture
checks. Exit status: 0 when every input was read, 1 when some could not be read or parsed (each
named on stderr), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

from .. import __version__
from ..io.check import check
from ..io.parallel import default_jobs, outcomes
from ..io.sinks import make_sink
from ..io.sources import read_paths
from ..limits import DEFAULT_LIMITS, Limits
from ..record import Kind
from .incidents import COMMANDS as INCIDENT_COMMANDS
from .mailbox import COMMANDS as STORE_COMMANDS
from .options import add_paths, add_record_options, code_table
from .report import COMMANDS as REPORT_COMMANDS

Command = Callable[[list[str]], int]



def _progress(done: int, started: float) -> None:
    """A progress line on stderr every 100 messages: count and rate."""
    if done % 100 == 0:
        rate = done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r{done} messages, {rate:,.0f}/s")
        sys.stderr.flush()


def _parser() -> argparse.ArgumentParser:
    """The main job's command line."""
    ap = argparse.ArgumentParser(
        prog="dsnparse",
        description="Parse bounce messages (files, directories, mbox, Maildir, stdin) into bounce records. "
        "Other commands: check, ingest, reparse, suppressions, incidents, report, imap (dsnparse COMMAND --help).",
    )
    add_paths(ap)
    ap.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl",
                    help="output format (default jsonl)")
    add_record_options(ap)
    ap.add_argument("--all", action="store_true", help="also print a line for messages that are not bounces")
    ap.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                    help="worker processes; records stay in input order (default 0: one per core; 1: no workers)")
    ap.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                    help="raise or lower a per-message limit, e.g. --limit message_bytes=20000000 (repeatable; "
                    "names: message_bytes, parts, depth, recipients, header_bytes, text_bytes)")
    ap.add_argument("--version", action="version", version=f"dsnparse {__version__}")
    return ap


def parse_command(argv: list[str]) -> int:
    """``dsnparse [options] [PATH|-]...``: the main job."""
    ap = _parser()
    args = ap.parse_args(argv)
    try:
        limits = DEFAULT_LIMITS.updated(args.limit)
    except ValueError as exc:
        ap.error(str(exc))
    return _run(args, limits)


def _run(args: argparse.Namespace, limits: Limits) -> int:
    """Parse every message the paths hold and write its records; 1 when any could not be read."""
    table = code_table(args.code_table)
    sink = make_sink(args.format, sys.stdout)
    failures = 0
    done = 0
    tty = sys.stderr.isatty()
    started = time.monotonic()
    jobs = args.jobs if args.jobs > 0 else default_jobs()
    items = read_paths(args.paths or ["-"], max_bytes=limits.max_message_bytes + 1)  # +1: the core flags the cut
    for out in outcomes(items, jobs=jobs, table=table, original_headers=args.header, limits=limits):
        done += 1
        if tty:
            _progress(done, started)
        if out.error is not None:
            failures += 1
            sys.stderr.write(f"dsnparse: {out.source}: {out.error}\n")
            if out.unreadable or not args.all:
                continue
        if out.kind == Kind.NOT_BOUNCE and not out.records:
            if args.all:
                sink.write({"source": out.source, "kind": out.kind, "recipient": None})
            continue
        for record in out.records:
            sink.write(record)
    sink.close()
    if tty and done >= 100:
        sys.stderr.write("\n")
    return 1 if failures else 0


def check_command(argv: list[str]) -> int:
    """``dsnparse check [--update] DIR...``: compare messages with their expected ``.json``."""
    ap = argparse.ArgumentParser(prog="dsnparse check", description="Fixture-based regression checks.")
    ap.add_argument("dirs", nargs="+", metavar="DIR")
    ap.add_argument("--update", action="store_true", help="write the current output as the expected records")
    add_record_options(ap, headers=False)
    args = ap.parse_args(argv)
    table = code_table(args.code_table)
    bad = total = 0
    for d in args.dirs:
        for outcome in check(d, update=args.update, table=table):
            total += 1
            if outcome.updated:
                print(f"updated {outcome.path}")
            elif not outcome.ok:
                bad += 1
                print(f"FAIL {outcome.path}")
                for diff in outcome.differences:
                    print(f"    {diff}")
    print(f"{total - bad} passed, {bad} failed")
    return 1 if bad else 0


COMMANDS: dict[str, Command] = {"check": check_command, **STORE_COMMANDS, **INCIDENT_COMMANDS, **REPORT_COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dsnparse`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(args[0]) if args else None
    try:
        if command is not None:
            return command(args[1:])
        return parse_command(args)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
