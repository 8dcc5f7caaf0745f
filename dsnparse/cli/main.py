"""The command line: argument parsing and wiring of sources, the core and sinks, nothing else.

``dsnparse [PATH|-]...`` parses messages and prints records; ``dsnparse check PATH...`` runs
fixture checks; ``dsnparse completion bash`` prints the shell completion script. Exit status of
the main command: 0 when every input was read, 1 when some could not be read or parsed (each
named on stderr), 2 for usage errors (every command).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..errors import MissingExtra
from ..io.check import Status, check
from ..io.parallel import default_jobs, outcomes
from ..io.sinks import make_sink
from ..io.sources import Reader
from ..record import BounceRecord, Kind
from .incidents import COMMANDS as INCIDENT_COMMANDS
from .incidents import PARSERS as INCIDENT_PARSERS
from .mailbox import COMMANDS as STORE_COMMANDS
from .mailbox import PARSERS as STORE_PARSERS
from .options import USAGE, add_paths, add_record_options, not_negative, record_options
from .progress import Progress, Tally
from .report import COMMANDS as REPORT_COMMANDS
from .report import PARSERS as REPORT_PARSERS

Command = Callable[[list[str]], int]

CHECK_PASSED, CHECK_DIFFERENT, CHECK_ERROR = 0, 1, 2
"""Exit statuses of ``dsnparse check``: all passed; differences found; errors (an unreadable
fixture, a malformed expectation, nothing to check)."""


def _parser() -> argparse.ArgumentParser:
    """The main command's options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse",
        description="Parse bounce messages (files, directories, mbox, Maildir, stdin; gzip, bzip2 or xz "
        "compressed or not) into bounce records. Other commands: check, ingest, reparse, suppressions, incidents, "
        "report, imap, completion (dsnparse COMMAND --help).",
        epilog="Exit status: 0 every input read, 1 some input could not be read or parsed, 2 usage error.",
    )
    add_paths(ap)
    ap.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl",
                    help="output format (default jsonl)")
    add_record_options(ap)
    ap.add_argument("--all", action="store_true", help="also print a line for messages that are not bounces")
    ap.add_argument("-j", "--jobs", type=not_negative, default=0, metavar="N",
                    help="worker processes; records stay in input order (default 0: one per core; 1: no workers)")
    ap.add_argument("--summary", action="store_true",
                    help="end with a summary line on stderr (the default when stderr is a terminal)")
    ap.add_argument("--maildir-subfolders", action="store_true",
                    help="also read the Maildir++ subfolders (.Processed, .Unparsed) of a Maildir root")
    ap.add_argument("--version", action="version", version=f"dsnparse {__version__}")
    return ap


def _notice(text: str, progress: Progress | None = None) -> None:
    if progress is not None:
        progress.clear()
    sys.stderr.write(f"dsnparse: {text}\n")


def _run(ap: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Read every input, write its records, tell on stderr what could not be read or hit a limit."""
    options = record_options(ap, args)
    if not args.paths and sys.stdin.isatty():
        ap.print_usage(sys.stderr)
        _notice("no input given: name files, directories or mailboxes, or pipe a message into stdin (-)")
        return USAGE
    width = shutil.get_terminal_size((80, 24)).columns
    sink = make_sink(args.format, sys.stdout, headers=options.headers, width=width)
    tty = sys.stderr.isatty()
    progress: Progress | None = None
    reader = Reader(args.paths or ["-"], options.limits, subfolders=args.maildir_subfolders,
                    notice=lambda text: _notice(text, progress))
    if tty:
        progress = Progress(sys.stderr, reader.total())
    tally = Tally()
    failures = 0
    jobs = args.jobs if args.jobs > 0 else default_jobs()
    for out in outcomes(reader, jobs=jobs, table=options.table, original_headers=options.headers,
                        limits=options.limits):
        tally.add(out)
        if progress is not None:
            progress.update(sum(tally.messages.values()) + tally.unreadable, reader.done)
        if out.limits:
            _notice(f"{out.source}: hit limit {', '.join(out.limits)} (see --limit)", progress)
        if out.error is not None:
            failures += 1
            _notice(f"{out.source}: {out.error}", progress)
            if out.unreadable or not args.all:
                continue
        if out.kind == Kind.NOT_BOUNCE and not out.records:
            if args.all:
                sink.write(BounceRecord(source=out.source, kind=Kind(out.kind)).to_dict())
            continue
        for record in out.records:
            sink.write(record)
    sink.close()
    if progress is not None:
        progress.end()
    if tty or args.summary:
        _notice(tally.line())
    return 1 if failures else 0


def parse_command(argv: list[str]) -> int:
    """``dsnparse [options] [PATH|-]...``: the main job."""
    ap = _parser()
    return _run(ap, ap.parse_args(argv))


def _check_parser() -> argparse.ArgumentParser:
    """``dsnparse check``'s options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse check",
        description="Fixture-based regression checks: each message beside a .json of the records it must "
        "give (only the keys written there are compared; records are matched by recipient).",
        epilog="Exit status: 0 all passed, 1 differences found, 2 errors (an unreadable fixture, a malformed "
        "expectation, nothing to check) or a usage error.",
    )
    ap.add_argument("paths", nargs="+", metavar="PATH", help="fixture directories or message files")
    ap.add_argument("--update", action="store_true",
                    help="bring the .json files up to date (keeping the keys they pin) and show the changes")
    add_record_options(ap)
    return ap


def _check_run(ap: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    options = record_options(ap, args)
    counts = dict.fromkeys(Status, 0)
    for path in args.paths:
        outcomes = check(path, update=args.update, table=options.table, original_headers=options.headers,
                         limits=options.limits)
        if not outcomes:
            what = "messages" if args.update else "fixtures (messages with a .json beside them)"
            print(f"ERROR {path}: no {what} found under {path}")
            counts[Status.ERROR] += 1
        for outcome in outcomes:
            counts[outcome.status] += 1
            if outcome.status is Status.ERROR:  # one line: the fixture and what kept it from being checked
                print(f"FAIL {outcome.path}: {'; '.join(outcome.differences)}")
                continue
            if outcome.status is Status.UPDATED:
                print(f"updated {outcome.path}")
            elif outcome.status is Status.FAILED:
                print(f"FAIL {outcome.path}")
            else:
                continue
            for line in outcome.differences:
                print(f"    {line}")
    summary = f"{counts[Status.PASSED]} passed, {counts[Status.FAILED]} failed, {counts[Status.ERROR]} errors"
    print(summary + (f", {counts[Status.UPDATED]} updated" if args.update else ""))
    if counts[Status.ERROR]:
        return CHECK_ERROR
    return CHECK_DIFFERENT if counts[Status.FAILED] else CHECK_PASSED


def check_command(argv: list[str]) -> int:
    """``dsnparse check [--update] PATH...``: compare messages with their expected ``.json``."""
    ap = _check_parser()
    return _check_run(ap, ap.parse_args(argv))


def _completion_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="dsnparse completion",
        description="Print the shell completion script (argcomplete; pip install 'dsnparse[completion]'). "
        'Bash: eval "$(dsnparse completion bash)" in ~/.bashrc.',
    )
    ap.add_argument("shell", choices=("bash", "zsh", "fish", "tcsh"), nargs="?", default="bash")
    return ap


def completion_command(argv: list[str]) -> int:
    """``dsnparse completion [bash|zsh|fish|tcsh]``: print the completion script for the shell."""
    args = _completion_parser().parse_args(argv)
    from ..io.extras import require

    argcomplete = require("argcomplete", "completion", "dsnparse completion")
    sys.stdout.write(argcomplete.shellcode(["dsnparse"], shell=args.shell))
    return 0


COMMANDS: dict[str, Command] = {
    "check": check_command, "completion": completion_command, **STORE_COMMANDS, **INCIDENT_COMMANDS,
    **REPORT_COMMANDS,
}


def full_parser() -> argparse.ArgumentParser:
    """One parser of every command (the main command's options, each command a subcommand): what
    shell completion and the man page read."""
    ap = _parser()
    for action in list(ap._actions):
        if action.dest == "paths":  # a subcommand takes this place
            ap._remove_action(action)
            ap._positionals._group_actions.remove(action)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    builders = {"check": _check_parser, "completion": _completion_parser, **STORE_PARSERS, **INCIDENT_PARSERS,
                **REPORT_PARSERS}
    for name, build in builders.items():
        parser = build()
        sub.add_parser(name, parents=[parser], add_help=False, description=parser.description,
                       epilog=parser.epilog, help=(parser.description or "").split(".")[0])
    return ap


def _complete() -> None:
    """Answer the shell's completion request (``_ARGCOMPLETE`` set), when argcomplete is installed."""
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(full_parser())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dsnparse`` command."""
    if argv is None and "_ARGCOMPLETE" in os.environ:
        _complete()
    args = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(args[0]) if args else None
    try:
        if command is not None:
            return command(args[1:])
        return parse_command(args)
    except MissingExtra as exc:
        sys.stderr.write(f"dsnparse: {exc}\n")
        return USAGE
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
