"""The store commands: ``dsnparse imap`` (fetch a bounce mailbox), ``dsnparse ingest`` (files into
the store) and ``dsnparse suppressions`` (export the suppression list). Argument parsing and
wiring only; the work is in :mod:`dsnparse.imap` and :mod:`dsnparse.store`.
"""

from __future__ import annotations

import argparse
import imaplib
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType

from ..core import parse
from ..errors import DsnparseError
from ..io.sinks import CsvSink, JsonLinesSink
from ..io.sources import read_paths
from ..io.store import FAILED, PARSED, Entry, MessageKey, Store, digest
from ..suppression import SUPPRESSION_FIELDS, Policy
from .options import add_record_options, code_table


def _secret(env: str | None, path: str | None, what: str) -> str | None:
    """A secret from an environment variable or a file (first line), never from the command line."""
    if env:
        value = os.environ.get(env)
        if not value:
            raise SystemExit(f"dsnparse imap: the environment variable {env} holding the {what} is not set")
        return value
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                value = fh.readline().rstrip("\r\n")
        except OSError as exc:
            raise SystemExit(f"dsnparse imap: cannot read the {what} file {path}: {exc.strerror}") from exc
        if not value:
            raise SystemExit(f"dsnparse imap: the {what} file {path} is empty")
        return value
    return None


def _open_store(path: str, command: str) -> Store:
    try:
        return Store(path)
    except sqlite3.Error as exc:
        raise SystemExit(f"dsnparse {command}: {path}: not a usable SQLite store: {exc}") from exc


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (the fetcher finishes its batch) instead of killing."""
    def handler(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("dsnparse.imap").warning("signal %d: stopping after the current batch", signum)
        stop.set()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def imap_command(argv: list[str]) -> int:
    """``dsnparse imap --host H --user U --password-env VAR ...``: fetch, store, file away."""
    from ..io.imap import Credentials, Fetcher, ImapError, Security, Settings, StreamSink

    ap = argparse.ArgumentParser(
        prog="dsnparse imap",
        description="Fetch bounces from an IMAP folder, store their records, then move each message to the "
        "processed folder (or the failed folder when it cannot be parsed). Passwords are read from an "
        "environment variable or a file, never from the command line.",
    )
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, help="default 993 with --tls, 143 otherwise")
    ap.add_argument("--user", required=True)
    secret = ap.add_mutually_exclusive_group(required=True)
    secret.add_argument("--password-env", metavar="VAR", help="environment variable holding the password")
    secret.add_argument("--password-file", metavar="FILE", help="file whose first line is the password")
    secret.add_argument("--oauth2-token-env", metavar="VAR", help="environment variable holding an OAuth2 token")
    secret.add_argument("--oauth2-token-file", metavar="FILE", help="file whose first line is an OAuth2 token")
    sec = ap.add_mutually_exclusive_group()
    sec.add_argument("--tls", dest="security", action="store_const", const=Security.TLS,
                     help="implicit TLS (the default)")
    sec.add_argument("--starttls", dest="security", action="store_const", const=Security.STARTTLS)
    sec.add_argument("--insecure-plaintext-on-loopback", dest="security", action="store_const",
                     const=Security.PLAINTEXT_LOOPBACK, help="no encryption; refused unless the host is loopback")
    ap.add_argument("--ca-file", metavar="PEM", help="CA certificate(s) to trust instead of the system store")
    ap.add_argument("--folder", default="INBOX")
    ap.add_argument("--processed-folder", default="Processed")
    ap.add_argument("--failed-folder", default="Unparsed")
    out = ap.add_mutually_exclusive_group()
    out.add_argument("--db", metavar="FILE", help="SQLite store (records, checkpoints, suppressions)")
    out.add_argument("--jsonl", metavar="FILE", help="append records as JSON lines to FILE (default: stdout)")
    ap.add_argument("--watch", action="store_true", help="keep going with IMAP IDLE until SIGTERM/SIGINT")
    ap.add_argument("--batch-size", type=int, default=50, metavar="N", help="messages per FETCH and commit")
    ap.add_argument("--max-size", type=int, default=20_000_000, metavar="BYTES",
                    help="larger messages are parked in the failed folder unread (default 20000000)")
    ap.add_argument("--idle-interval", type=float, default=600.0, metavar="SECONDS",
                    help="re-issue IDLE after this long (default 600)")
    add_record_options(ap)
    ap.add_argument("--quiet", action="store_true", help="no progress lines, only warnings and the summary")
    args = ap.parse_args(argv)
    if args.batch_size < 1 or args.max_size < 1 or args.idle_interval <= 0:
        ap.error("--batch-size, --max-size and --idle-interval must be positive")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="dsnparse: %(message)s")
    password = _secret(args.password_env, args.password_file, "password")
    token = _secret(args.oauth2_token_env, args.oauth2_token_file, "OAuth2 token")
    try:
        settings = Settings(
            host=args.host, port=args.port, credentials=Credentials(args.user, password, token),
            security=args.security or Security.TLS, ca_file=args.ca_file, folder=args.folder,
            processed_folder=args.processed_folder, failed_folder=args.failed_folder,
            batch_size=args.batch_size, max_size=args.max_size, idle_interval=args.idle_interval,
            original_headers=tuple(args.header), table=code_table(args.code_table),
        )
    except ImapError as exc:
        raise SystemExit(f"dsnparse imap: {exc}") from exc
    stop = threading.Event()
    with ExitStack() as stack:
        if args.db:
            sink: Store | StreamSink = stack.enter_context(_open_store(args.db, "imap"))
        elif args.jsonl:
            sink = StreamSink(stack.enter_context(open(args.jsonl, "a", encoding="utf-8")))
        else:
            sink = StreamSink(sys.stdout)
        stack.enter_context(_stop_on_signals(stop))
        fetcher = Fetcher(settings, sink, stop=stop)
        try:
            summary = fetcher.watch() if args.watch else fetcher.run()
        except ImapError as exc:
            sys.stderr.write(f"dsnparse imap: {exc}\n")
            return 1
        except (OSError, imaplib.IMAP4.error, sqlite3.Error) as exc:
            sys.stderr.write(f"dsnparse imap: {args.host}: {type(exc).__name__}: {exc}\n")
            _write_summary(fetcher.summary.lines())
            return 1
    _write_summary(summary.lines())
    return 1 if summary.failed else 0


def _write_summary(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(f"dsnparse: {line}\n")


def ingest_command(argv: list[str]) -> int:
    """``dsnparse ingest --db FILE PATH...``: parse files, mbox files and Maildir folders into the store."""
    ap = argparse.ArgumentParser(
        prog="dsnparse ingest",
        description="Parse messages (files, directories, mbox, Maildir, - for stdin) into a SQLite store. "
        "Re-ingesting the same messages adds nothing.",
    )
    ap.add_argument("paths", nargs="+", metavar="PATH")
    ap.add_argument("--db", required=True, metavar="FILE")
    add_record_options(ap)
    ap.add_argument("--batch-size", type=int, default=500, metavar="N", help="messages per transaction")
    args = ap.parse_args(argv)
    table = code_table(args.code_table)
    counts = {"read": 0, "unreadable": 0, "failed": 0}
    statuses: dict[str, int] = {}
    with _open_store(args.db, "ingest") as store:
        batch: list[Entry] = []
        for item in read_paths(args.paths):
            counts["read"] += 1
            if item.raw is None:
                counts["unreadable"] += 1
                sys.stderr.write(f"dsnparse: {item.source}: {item.error}\n")
                continue
            identity = digest(item.raw)
            stdin = item.source == "-" or item.source.startswith("-#")
            key = MessageKey(f"stdin:{identity}" if stdin else os.path.abspath(item.source))
            try:
                report = parse(item.raw, source=item.source, table=table, original_headers=args.header)
                batch.append(Entry(key, PARSED, report=report, digest=identity, size=len(item.raw)))
            except Exception as exc:  # parse errors and parser bugs alike: named, stored as failed, go on
                counts["failed"] += 1
                cause = str(exc) if isinstance(exc, DsnparseError) else f"internal error: {type(exc).__name__}: {exc}"
                sys.stderr.write(f"dsnparse: {item.source}: {cause}\n")
                error = f"{type(exc).__name__}: {exc}"
                batch.append(Entry(key, FAILED, digest=identity, size=len(item.raw), error=error))
            if len(batch) >= args.batch_size:
                _tally(statuses, store.add(batch))
                batch = []
        if batch:
            _tally(statuses, store.add(batch))
    done = ", ".join(f"{k} {n}" for k, n in sorted(statuses.items()))
    sys.stderr.write(f"dsnparse: {counts['read']} messages read ({done or 'none stored'}), "
                     f"{counts['unreadable']} unreadable, {counts['failed']} unparseable\n")
    return 1 if counts["unreadable"] or counts["failed"] else 0


def _tally(statuses: dict[str, int], results: list[str]) -> None:
    for status in results:
        statuses[status] = statuses.get(status, 0) + 1


def suppressions_command(argv: list[str]) -> int:
    """``dsnparse suppressions --db FILE``: the suppression list with its evidence."""
    ap = argparse.ArgumentParser(
        prog="dsnparse suppressions",
        description="Export the addresses to stop mailing: hard bounces that say the address is dead and "
        "complaints at once, soft bounces after --soft-count failures within --soft-days days.",
    )
    ap.add_argument("--db", required=True, metavar="FILE")
    ap.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    ap.add_argument("--soft-count", type=int, default=3, metavar="N")
    ap.add_argument("--soft-days", type=float, default=30.0, metavar="D")
    args = ap.parse_args(argv)
    if not os.path.exists(args.db):
        raise SystemExit(f"dsnparse suppressions: no store at {args.db}")
    try:
        policy = Policy(soft_count=args.soft_count, soft_days=args.soft_days)
    except ValueError as exc:
        ap.error(str(exc))
    with _open_store(args.db, "suppressions") as store:
        entries = store.suppressions(policy)
    if args.format == "jsonl":
        sink = JsonLinesSink(sys.stdout)
        for entry in entries:
            sink.write(entry.to_dict())
        sink.close()
    else:
        csv_sink = CsvSink(sys.stdout, SUPPRESSION_FIELDS)
        for entry in entries:
            csv_sink.write(entry.to_dict())
        csv_sink.close()
    return 0


COMMANDS = {"imap": imap_command, "ingest": ingest_command, "suppressions": suppressions_command}
"""The subcommands of this module, merged into :data:`dsnparse.cli.COMMANDS`."""
