"""The store commands: ``dsnparse imap`` (fetch a bounce mailbox), ``dsnparse ingest`` (files into
the store), ``dsnparse reparse`` (derive the stored records again) and ``dsnparse suppressions``
(export the suppression list, un-suppress, the allow-list). Argument parsing and
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
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import Any

from ..errors import DsnparseError
from ..io.extras import require
from ..io.parallel import Options, parse_item
from ..io.sinks import CsvSink, JsonLinesSink
from ..io.sources import read_paths
from ..io.store import (
    ALLOWED_FIELDS,
    FAILED,
    PARSED,
    REMOVAL_FIELDS,
    Entry,
    MessageKey,
    Store,
    Summary,
    as_time,
    digest,
)
from ..suppression import SKIPPED_FIELDS, SUPPRESSION_FIELDS
from .options import add_policy_options, add_record_options, policy_options, positive, record_options


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


def _imap_parser() -> argparse.ArgumentParser:
    """``dsnparse imap``'s options."""
    from ..io.imap import Security

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
    return ap


def imap_command(argv: list[str]) -> int:
    """``dsnparse imap --host H --user U --password-env VAR ...``: fetch, store, file away."""
    ap = _imap_parser()
    return _imap_run(ap, ap.parse_args(argv))


def _imap_run(ap: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    require("imapclient", "imap", "dsnparse imap")
    from ..io.imap import Credentials, Fetcher, ImapError, Security, Settings, StreamSink

    options = record_options(ap, args)
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
            original_headers=options.headers, table=options.table, limits=options.limits,
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


def _ingest_parser() -> argparse.ArgumentParser:
    """``dsnparse ingest``'s options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse ingest",
        description="Parse messages (files, directories, mbox, Maildir, - for stdin) into a SQLite store. "
        "Re-ingesting the same messages adds nothing; each message is kept (compressed) for dsnparse reparse.",
    )
    ap.add_argument("paths", nargs="+", metavar="PATH")
    ap.add_argument("--db", required=True, metavar="FILE")
    add_record_options(ap)
    ap.add_argument("--batch-size", type=positive, default=500, metavar="N", help="messages per transaction")
    return ap


def ingest_command(argv: list[str]) -> int:
    """``dsnparse ingest --db FILE PATH...``: parse files, mbox files and Maildir folders into the store."""
    ap = _ingest_parser()
    args = ap.parse_args(argv)
    options = record_options(ap, args)
    parse_options = Options(options.table, options.headers, options.limits)
    headers = options.headers
    summary = Summary()
    seen: set[MessageKey] = set()
    with _open_store(args.db, "ingest") as store:
        batch: list[Entry] = []

        def commit() -> None:
            for entry, status in zip(batch, store.add(batch), strict=True):
                summary.add(entry, status)
            batch.clear()

        for item in read_paths(args.paths, options.limits):
            if item.raw is None:
                summary.unreadable += 1
                sys.stderr.write(f"dsnparse: {item.source}: {item.error}\n")
                continue
            identity = digest(item.raw)
            stdin = item.source == "-" or item.source.startswith("-#")
            key = MessageKey(f"stdin:{identity}" if stdin else os.path.abspath(item.source))
            if key in seen or store.has(key):
                summary.refiled += 1  # already stored: not parsed or counted again
                continue
            seen.add(key)
            try:
                report = parse_item(item, parse_options)
                batch.append(Entry(key, PARSED, report=report, digest=identity, size=len(item.raw), raw=item.raw,
                                   header_names=headers))
            except Exception as exc:  # parse errors and parser bugs alike: named, stored as failed, go on
                cause = str(exc) if isinstance(exc, DsnparseError) else f"internal error: {type(exc).__name__}: {exc}"
                sys.stderr.write(f"dsnparse: {item.source}: {cause}\n")
                error = f"{type(exc).__name__}: {exc}"
                batch.append(Entry(key, FAILED, digest=identity, size=len(item.raw), error=error, raw=item.raw,
                                   header_names=headers))
            if len(batch) >= args.batch_size:
                commit()
        if batch:
            commit()
    _write_summary(summary.lines())
    return 1 if summary.unreadable or summary.failed else 0


def _reparse_parser() -> argparse.ArgumentParser:
    """``dsnparse reparse``'s options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse reparse",
        description="Parse every message kept in the store again (with a new code table, other headers, or this "
        "version's rules), replace its records, and report what changed: records whose reason, bounce type or "
        "suppression changed, and addresses that joined or left the suppression list. Running it twice changes "
        "nothing the second time.",
    )
    ap.add_argument("--db", required=True, metavar="FILE")
    add_record_options(ap)
    return ap


def reparse_command(argv: list[str]) -> int:
    """``dsnparse reparse --db FILE``: derive every stored record again from the kept messages."""
    ap = _reparse_parser()
    args = ap.parse_args(argv)
    options = record_options(ap, args)
    if not os.path.exists(args.db):
        raise SystemExit(f"dsnparse reparse: no store at {args.db}")
    with _open_store(args.db, "reparse") as store:
        done = store.reparse(table=options.table, original_headers=options.headers or None, limits=options.limits)
    for change in done.changes:
        sys.stdout.write(f"{change.source}\t{change.recipient or '-'}\t{_verdict(change.before)} -> "
                         f"{_verdict(change.after)}\n")
    for address in done.suppressed:
        sys.stdout.write(f"suppressed\t{address}\n")
    for address in done.unsuppressed:
        sys.stdout.write(f"no longer suppressed\t{address}\n")
    _write_summary([
        f"messages: {done.messages} parsed again ({done.recovered} parsed now that failed before, "
        f"{done.failed} still failed), {done.unavailable} not kept (stored before messages were kept, or oversize)",
        f"records: {done.records}, {len(done.changes)} changed; suppression list: "
        f"{len(done.suppressed)} added, {len(done.unsuppressed)} removed",
    ])
    return 1 if done.failed else 0


def _verdict(verdict: tuple[str | None, str | None, bool | None]) -> str:
    reason, bounce_type, suppress = verdict
    if reason is None:
        return "(none)"
    return f"{reason}/{bounce_type or '-'}/{'suppress' if suppress else 'keep'}"


def _suppressions_parser() -> argparse.ArgumentParser:
    """``dsnparse suppressions``'s options."""
    ap = argparse.ArgumentParser(
        prog="dsnparse suppressions",
        description="Export the addresses to stop mailing: hard bounces that say the address is dead and "
        "complaints at once, soft bounces after --soft-count failures within --soft-days days. The address is "
        "the one the sender has on its list (the original recipient when the report names one). --remove takes "
        "an address off the list (a later bounce can put it back), --allow keeps it off for good.",
    )
    ap.add_argument("--db", required=True, metavar="FILE")
    ap.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    add_policy_options(ap)
    ap.add_argument("--since", metavar="DATE", help="export only suppressions that began at or after DATE (ISO 8601)")
    upkeep = ap.add_mutually_exclusive_group()
    upkeep.add_argument("--remove", metavar="ADDRESS", help="un-suppress ADDRESS (needs --reason, kept as evidence)")
    upkeep.add_argument("--allow", metavar="ADDRESS", help="put ADDRESS on the allow-list (needs --reason)")
    upkeep.add_argument("--disallow", metavar="ADDRESS", help="take ADDRESS off the allow-list")
    upkeep.add_argument("--list-allowed", action="store_true", help="print the allow-list")
    upkeep.add_argument("--list-removed", action="store_true", help="print the suppressions removed by hand")
    ap.add_argument("--reason", metavar="TEXT", help="why (for --remove and --allow)")
    upkeep.add_argument("--skipped", action="store_true",
                        help="list the addresses left unsuppressed because their failures were on the sender or "
                        "content side, instead of the suppressions")
    return ap


def suppressions_command(argv: list[str]) -> int:
    """``dsnparse suppressions --db FILE``: the suppression list with its evidence, and its upkeep."""
    ap = _suppressions_parser()
    args = ap.parse_args(argv)
    if (args.remove or args.allow) and not (args.reason or "").strip():
        ap.error("--remove and --allow need --reason TEXT (it is kept as evidence)")
    if not os.path.exists(args.db):
        raise SystemExit(f"dsnparse suppressions: no store at {args.db}")
    try:
        policy = policy_options(args)
        since = as_time(args.since) if args.since else None
    except ValueError as exc:
        ap.error(str(exc))
    with _open_store(args.db, "suppressions") as store:
        if args.remove:
            removed = store.unsuppress(args.remove, args.reason)
            if removed is None:
                sys.stderr.write(f"dsnparse suppressions: {args.remove} is not suppressed: nothing removed\n")
                return 1
            sys.stderr.write(f"dsnparse: removed {removed.address} ({removed.cause} since {removed.since})\n")
            return 0
        if args.allow:
            store.allow(args.allow, args.reason)
            return 0
        if args.disallow:
            if not store.disallow(args.disallow):
                sys.stderr.write(f"dsnparse suppressions: {args.disallow} is not on the allow-list\n")
                return 1
            return 0
        if args.list_allowed:
            _export(args.format, ALLOWED_FIELDS, (a._asdict() for a in store.allowed()))
            return 0
        if args.list_removed:
            _export(args.format, REMOVAL_FIELDS, (r._asdict() for r in store.removals()))
            return 0
        left_out = store.skipped()
        entries = [] if args.skipped else store.suppressions(policy, since=since)
    if args.skipped:
        _export(args.format, SKIPPED_FIELDS, (e.to_dict() for e in left_out))
        return 0
    if left_out:
        failures = sum(e.count for e in left_out)
        sys.stderr.write(f"dsnparse suppressions: skipped {failures} sender- or content-side failures of "
                         f"{len(left_out)} addresses (not the addresses' fault; --skipped lists them)\n")
    _export(args.format, SUPPRESSION_FIELDS, (entry.to_dict() for entry in entries))
    return 0


def _export(form: str, fields: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    sink: JsonLinesSink | CsvSink = JsonLinesSink(sys.stdout) if form == "jsonl" else CsvSink(sys.stdout, fields)
    for row in rows:
        sink.write(row)
    sink.close()


COMMANDS = {"imap": imap_command, "ingest": ingest_command, "reparse": reparse_command,
            "suppressions": suppressions_command}
"""The subcommands of this module, merged into :data:`dsnparse.cli.COMMANDS`."""
PARSERS = {"imap": _imap_parser, "ingest": _ingest_parser, "reparse": _reparse_parser,
           "suppressions": _suppressions_parser}
"""Their argument parsers (for shell completion and the man page)."""
