"""The embedded bounce store: SQLite (stdlib ``sqlite3``, WAL mode) holding every record, the
messages they came from, a checkpoint per IMAP mailbox, and the suppression list derived from them.

Nothing is counted twice: a message is keyed by ``(mailbox, uidvalidity, uid)`` (files use their
source key as mailbox and 0, 0), a record by that key plus its recipient, and a message whose
bytes were already stored under another key (a UIDVALIDITY reset, the same file ingested twice
under two names) is kept as a ``duplicate`` without records. Each batch is one transaction, so a
crash leaves the store as it was before the batch or after it, never in between.

Every message that was read is kept, zlib-compressed, with the names of the headers asked for,
so :meth:`Store.reparse` can derive its records again with a new code table, other headers or a
newer dsnparse. The bytes are kept rather than the source location because no location is
stable: the fetcher moves IMAP messages (they get new UIDs in the processed folder), files are
rotated or deleted, and stdin has none.

The suppression list is computed from the records with a :class:`~dsnparse.suppression.Policy`,
keyed on the address the sender has on its list (the DSN's ``Original-Recipient`` when there is
one, the final recipient otherwise), minus the addresses on the store's allow-list and the
suppressions removed by hand (whose reason is kept as evidence).

Stores written by earlier versions are migrated when opened, by added columns and tables only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from ..classify.codes import CodeTable
from ..core import parse
from ..message import normalize_newlines
from ..record import FIELDS, BounceRecord, Kind, Report
from ..summary import FAILURE_FIELDS, NOT_FAILED, Counters, header_value
from ..suppression import EVENT_COLUMNS, Event, Policy, Skipped, Suppression, decide, skipped

if TYPE_CHECKING:
    import pandas as pd

PARSED = "parsed"
"""Message status: parsed, its records stored."""
DUPLICATE = "duplicate"
"""Message status: the same bytes were already stored under another key; no records added."""
FAILED = "failed"
"""Message status: could not be parsed (parked in the failed folder)."""
OVERSIZE = "oversize"
"""Message status: larger than the size cap, never loaded (parked in the failed folder)."""

_JSON_FIELDS = frozenset({"headers", "flags"})
_EMPTY_JSON: dict[Any, Any] = {None: None, "": None, "{}": {}, "[]": []}
"""The JSON values most records hold, read without the JSON decoder (a dict or list is copied by from_dict)."""
_KEY_COLUMNS = ("message", "mailbox", "uidvalidity", "uid", "recipient_key", "kind", "received")
"""The store's own columns of a record row; a record field of the same name (``kind``) is kept in it."""
_FIELD_COLUMNS = tuple(f for f in FIELDS if f not in _KEY_COLUMNS)
_COLUMNS = ", ".join(f'"{f}"' for f in FIELDS)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    digest TEXT,
    status TEXT NOT NULL,
    kind TEXT,
    error TEXT,
    size INTEGER,
    received TEXT NOT NULL,
    raw BLOB,
    header_names TEXT,
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS messages_digest ON messages (digest);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    message INTEGER NOT NULL REFERENCES messages (id),
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    recipient_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    received TEXT NOT NULL,
    {", ".join(f'"{f}"' for f in _FIELD_COLUMNS)},
    UNIQUE (mailbox, uidvalidity, uid, recipient_key)
);
CREATE INDEX IF NOT EXISTS records_recipient ON records (recipient_key);
CREATE TABLE IF NOT EXISTS checkpoints (
    mailbox TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS allow_list (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS removals (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    cause TEXT,
    since TEXT
);
"""
_ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "messages": (("raw", "BLOB"), ("header_names", "TEXT")),
    "records": tuple((f, "DEFAULT 'unknown'" if f == "side" else "") for f in _FIELD_COLUMNS),
}
"""Columns that stores written by earlier versions may lack (added when the store is opened; the
record fields added since, ``side`` defaulting to ``unknown``, the others to NULL)."""
_LIST_ADDRESS = "lower(coalesce(nullif(original_recipient, ''), recipient, ''))"
"""SQL: the address the sender has on its list (the original recipient, else the final one)."""
_AT = "coalesce(date, received)"
"""SQL: when a record's event happened (its date, else when the bounce arrived)."""


def digest(raw: bytes) -> str:
    """The message's identity for de-duplication: SHA-256 of its bytes with line endings made
    uniform, so the copy an IMAP server hands out (CRLF) matches the file it came from (LF)."""
    return hashlib.sha256(normalize_newlines(raw)).hexdigest()


def utc_now() -> str:
    """The current time as ISO 8601 UTC with seconds (the format of record dates)."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    """A datetime as ISO 8601 UTC with seconds, ``2026-03-10T08:11:58Z`` (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_time(value: str | datetime) -> str:
    """A date or time given by a user (``2026-03-01``, ISO 8601 with or without a zone, or a
    datetime; naive means UTC) as the store's ISO UTC text. Raises ``ValueError`` for others."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return iso(value)


@dataclass(frozen=True, slots=True)
class MessageKey:
    """Where a message lives: an IMAP mailbox (``user@host/INBOX``), its UIDVALIDITY and the UID;
    files use their source key as ``mailbox`` with 0 and 0."""

    mailbox: str
    uidvalidity: int = 0
    uid: int = 0

    @property
    def source(self) -> str:
        """The key as the records' ``source`` text (an RFC 5092 style IMAP URL for mailboxes)."""
        if not self.uidvalidity and not self.uid:
            return self.mailbox
        return f"imap://{self.mailbox};UIDVALIDITY={self.uidvalidity}/;UID={self.uid}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One message to store: its key and either its report (``status`` parsed) or why it has none."""

    key: MessageKey
    status: str = PARSED
    report: Report | None = None
    digest: str | None = None
    """:func:`digest` of the raw bytes: the same message under another key is a duplicate."""
    size: int | None = None
    received: str | None = None
    """When the message arrived (IMAP INTERNALDATE), ISO UTC; defaults to the time of storing."""
    error: str | None = None
    raw: bytes | None = None
    """The message's bytes, kept (compressed) so that :meth:`Store.reparse` can read it again."""
    header_names: tuple[str, ...] = ()
    """The ``original_headers`` it was parsed with (used again by :meth:`Store.reparse`)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a mailbox has been read: the UIDVALIDITY and the highest UID stored."""

    mailbox: str
    uidvalidity: int
    last_uid: int


class StoredRecord(NamedTuple):
    """A record read from the store, with the kind of the report it came from."""

    kind: str
    record: BounceRecord


ALLOWED_FIELDS: tuple[str, ...] = ("address", "reason", "added")
"""Column order of the allow-list export."""
REMOVAL_FIELDS: tuple[str, ...] = ("address", "reason", "at", "cause", "since")
"""Column order of the export of suppressions removed by hand."""


class Allowed(NamedTuple):
    """An address on the allow-list: never suppressed, whatever its bounces say."""

    address: str
    reason: str
    added: str


class Removal(NamedTuple):
    """A suppression removed by hand: bounces up to ``at`` no longer count for ``address``."""

    address: str
    reason: str
    at: str
    cause: str | None
    """The cause of the suppression that was removed."""
    since: str | None
    """When that suppression had begun."""


class Change(NamedTuple):
    """One record whose verdicts a re-parse changed (``None`` on the side where it did not exist)."""

    source: str
    recipient: str | None
    before: tuple[str | None, str | None, bool | None]
    """(reason, bounce_type, suppress) before."""
    after: tuple[str | None, str | None, bool | None]
    """(reason, bounce_type, suppress) after."""


@dataclass
class Reparse:
    """What :meth:`Store.reparse` did."""

    messages: int = 0
    """Messages parsed again."""
    unavailable: int = 0
    """Messages that cannot be re-read: stored before messages were kept, or never loaded (oversize)."""
    failed: int = 0
    """Messages that still cannot be parsed."""
    recovered: int = 0
    """Messages that could not be parsed before and now can."""
    records: int = 0
    """Records now stored for the re-parsed messages."""
    changes: list[Change] = field(default_factory=list)
    """Records whose reason, bounce type or suppression changed, or that appeared or went away."""
    suppressed: list[str] = field(default_factory=list)
    """Addresses the suppression list gained."""
    unsuppressed: list[str] = field(default_factory=list)
    """Addresses the suppression list lost."""


@dataclass
class Summary:
    """What a run did. Message counts and record counts are kept apart: ``messages``,
    ``duplicates``, ``failed``, ``refiled`` and ``by_kind`` count messages; ``records`` and
    ``by_bounce_type`` count records (one per recipient)."""

    messages: int = 0
    """Messages handled now (new ones: parsed, duplicates and failures)."""
    records: int = 0
    """Records stored (or written) for them."""
    failed: int = 0
    """Messages that could not be parsed or were too large (the fetcher parks them in its failed folder)."""
    duplicates: int = 0
    """Messages whose bytes were already stored under another key (no records added)."""
    refiled: int = 0
    """Messages already stored by an earlier run: not counted again (the fetcher only moves them now)."""
    unreadable: int = 0
    """Inputs that could not be read at all (files only)."""
    by_kind: Counter[str] = field(default_factory=Counter)
    """Parsed messages by the kind of their report."""
    by_bounce_type: Counter[str] = field(default_factory=Counter)
    """Records by their bounce type."""

    @property
    def new(self) -> int:
        """Messages stored for the first time (handled, less the duplicates)."""
        return self.messages - self.duplicates

    def add(self, entry: Entry, status: str) -> None:
        """Count one entry handed to :meth:`Store.add`, with the status the store gave it."""
        self.messages += 1
        if status in (FAILED, OVERSIZE):
            self.failed += 1
        elif status == DUPLICATE:
            self.duplicates += 1
        elif entry.report is not None:
            self.by_kind[str(entry.report.kind)] += 1
            self.records += len(entry.report.records)
            self.by_bounce_type.update(r.bounce_type for r in entry.report.records if r.bounce_type)

    def lines(self) -> list[str]:
        """The summary as short human-readable lines."""
        unreadable = f", {self.unreadable} unreadable" if self.unreadable else ""
        out = [f"messages: {self.messages + self.refiled} ({self.new} new, {self.refiled} already stored, "
               f"{self.duplicates} duplicates), {self.failed} failed{unreadable}"]
        if self.by_kind:
            out.append("messages by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items())))
        by_type = ", ".join(f"{k} {n}" for k, n in sorted(self.by_bounce_type.items()))
        out.append(f"records: {self.records}" + (f" (by bounce type: {by_type})" if by_type else ""))
        return out


class Store:
    """A SQLite bounce store. ``Store(path)`` creates the file and schema when missing, and
    migrates a store written by an earlier version (added columns and tables only).

    A ``Store`` may be handed to another thread but used by one thread at a time; several
    processes may use the same file (WAL mode, writers wait up to ``timeout`` seconds).
    """

    def __init__(self, path: str, *, timeout: float = 30.0):
        self.path = path
        self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        existing = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, columns in _ADDED_COLUMNS.items():
            if table not in existing:
                continue
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self._db.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def add(self, entries: Sequence[Entry], checkpoint: Checkpoint | None = None) -> list[str]:
        """Store a batch of messages (and the mailbox checkpoint) in one transaction.

        Returns each entry's resulting status: its own, ``duplicate`` for bytes already stored
        under another key, or the stored status when the key itself was stored before (a re-run:
        :meth:`has` tells those apart beforehand).
        """
        statuses: list[str] = []
        now = utc_now()
        with self._transaction() as cur:
            for entry in entries:
                statuses.append(self._add_one(cur, entry, now))
            if checkpoint is not None:
                cur.execute(
                    "INSERT INTO checkpoints (mailbox, uidvalidity, last_uid, updated) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
                    "last_uid = excluded.last_uid, updated = excluded.updated",
                    (checkpoint.mailbox, checkpoint.uidvalidity, checkpoint.last_uid, now),
                )
        return statuses

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _add_one(self, cur: sqlite3.Cursor, entry: Entry, now: str) -> str:
        key = entry.key
        row = cur.execute(
            "SELECT status FROM messages WHERE mailbox = ? AND uidvalidity = ? AND uid = ?",
            (key.mailbox, key.uidvalidity, key.uid),
        ).fetchone()
        if row is not None:
            return str(row[0])
        status = entry.status
        if status == PARSED and entry.digest and cur.execute(
            "SELECT 1 FROM messages WHERE digest = ? AND status = ? LIMIT 1", (entry.digest, PARSED)
        ).fetchone():
            status = DUPLICATE
        received = entry.received or now
        kind = str(entry.report.kind) if entry.report is not None else None
        kept = compress(entry.raw) if entry.raw is not None and status != DUPLICATE else None
        cur.execute(
            "INSERT INTO messages (source, mailbox, uidvalidity, uid, digest, status, kind, error, size, received, "
            "raw, header_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.source, key.mailbox, key.uidvalidity, key.uid, entry.digest, status, kind, entry.error,
             entry.size, received, kept, json.dumps(list(entry.header_names))),
        )
        if status == PARSED and entry.report is not None and cur.lastrowid is not None:
            _insert_records(cur, cur.lastrowid, key, entry.report, received)
        return status

    # -- reading ---------------------------------------------------------------------------------

    def has(self, key: MessageKey) -> bool:
        """True when a message with this key is stored (whatever its status)."""
        return bool(self.known(key.mailbox, key.uidvalidity, [key.uid]))

    def known(self, mailbox: str, uidvalidity: int, uids: Iterable[int]) -> dict[int, str]:
        """The UIDs among ``uids`` already stored for this mailbox and UIDVALIDITY, with their status."""
        wanted = sorted(set(uids))
        found: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT uid, status FROM messages WHERE mailbox = ? AND uidvalidity = ? AND uid IN ({marks})",  # noqa: S608
                (mailbox, uidvalidity, *chunk),
            )
            found.update((int(r[0]), str(r[1])) for r in rows)
        return found

    def checkpoint(self, mailbox: str) -> Checkpoint | None:
        """The stored checkpoint of a mailbox, if any."""
        row = self._db.execute(
            "SELECT uidvalidity, last_uid FROM checkpoints WHERE mailbox = ?", (mailbox,)
        ).fetchone()
        return Checkpoint(mailbox, int(row[0]), int(row[1])) if row else None

    def messages(self) -> Iterator[dict[str, Any]]:
        """Every stored message row (source, mailbox, uidvalidity, uid, status, kind, error...,
        ``kept``: the size in bytes of the compressed copy kept for :meth:`reparse`, or ``None``)."""
        cur = self._db.execute(
            "SELECT source, mailbox, uidvalidity, uid, digest, status, kind, error, size, received, "
            "length(raw) AS kept FROM messages ORDER BY id"
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def raw(self, source: str) -> bytes | None:
        """The kept bytes of the message stored under ``source`` (its records' ``source``), if any."""
        row = self._db.execute("SELECT raw FROM messages WHERE source = ? AND raw IS NOT NULL", (source,)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def records(
        self,
        *,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        kind: str | Kind | None = None,
        reason: str | None = None,
        domain: str | None = None,
        header: tuple[str, str] | None = None,
        suppress: bool | None = None,
    ) -> Iterator[StoredRecord]:
        """The stored records, in the order stored, with the kind of their report; every filter
        given must hold.

        :param since: the record's time (its ``date``, else when the bounce arrived) is at or after this
        :param until: ... and before this (ISO 8601 text or a datetime; a date means its midnight UTC)
        :param kind: the report's kind (``failure``, ``delay``, ``complaint``, ...)
        :param reason: the record's reason (``userunknown``, ...)
        :param domain: the recipient's domain, exactly (case-insensitive)
        :param header: ``(name, value)``: a header of the original message copied with ``--header``
        :param suppress: the record's ``suppress`` verdict
        """
        where: list[str] = []
        args: list[Any] = []
        if since is not None:
            where.append(f"{_AT} >= ?")
            args.append(as_time(since))
        if until is not None:
            where.append(f"{_AT} < ?")
            args.append(as_time(until))
        if kind is not None:
            where.append("kind = ?")
            args.append(str(kind))
        if reason is not None:
            where.append("reason = ?")
            args.append(reason)
        if domain is not None:
            where.append("substr(recipient_key, instr(recipient_key, '@') + 1) = ?")
            args.append(domain.lower())
        if header is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(records.headers) WHERE lower(key) = lower(?) AND value = ?)")
            args.extend(header)
        if suppress is not None:
            where.append("suppress = ?")
            args.append(int(suppress))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        for row in self._db.execute(f"SELECT kind, {_COLUMNS} FROM records {clause} ORDER BY id", args):  # noqa: S608
            yield StoredRecord(str(row[0]), _record(row[1:]))

    def frame(self, *, headers: bool | Sequence[str] = False) -> pd.DataFrame:
        """Every stored record as a typed pandas DataFrame (see :func:`dsnparse.io.frame.frame`;
        needs the ``dsnparse[pandas]`` extra)."""
        from .frame import frame

        return frame(({**record.to_dict(), "kind": kind} for kind, record in self.records()), headers=headers)

    def timeline(self, since: str | None = None) -> Iterator[BounceRecord]:
        """What incidents are made of, streamed in time order: sender- and content-side failures
        and delays, and accepted mail (delivered, relayed, expanded). A record without a date
        takes the time its message was received; ``since`` (ISO 8601) drops earlier ones. The
        incidents' ``now`` is :meth:`latest`, since ordinary bounces are not in the timeline. The
        records carry only the fields :func:`dsnparse.incidents.incidents` reads
        (:data:`TIMELINE_FIELDS`), so a million rows sort and stream without their other columns."""
        rows = self._db.execute(
            f"SELECT coalesce(date, received) AS at, {', '.join(TIMELINE_FIELDS)} FROM records "  # noqa: S608
            "WHERE ((side IN ('sender', 'content') AND action IN ('failed', 'delayed')) "
            "OR action IN ('delivered', 'relayed', 'expanded')) AND coalesce(date, received) >= ? "
            "ORDER BY at, id",
            (since or "",),
        )
        for at, *values in rows:
            record = BounceRecord(**dict(zip(TIMELINE_FIELDS, values, strict=True)))
            yield record if record.date else replace(record, date=str(at))

    def latest(self) -> str | None:
        """The time of the latest record (its date, else when its message was received), ISO 8601."""
        row = self._db.execute("SELECT max(coalesce(date, received)) FROM records").fetchone()
        return str(row[0]) if row and row[0] else None

    def count(self, table: str = "records") -> int:
        """Rows in ``records`` or ``messages``."""
        if table not in ("records", "messages"):
            raise ValueError(f"no table {table!r}")
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608

    def counters(self, header_names: Sequence[str] = (), since: str | None = None) -> Counters:
        """The report's counters over the stored messages and records, from SQL ``GROUP BY``.

        Records are dated by their ``date``, else by when their message was received; messages by
        when they were received. ``since`` (ISO UTC) leaves out what is older.
        """
        out = Counters(header_names, since)
        cutoff = since or ""
        for kind, status, count in self._db.execute(
            "SELECT kind, status, count(*) FROM messages WHERE received >= ? GROUP BY kind, status", (cutoff,)
        ):
            out.add_message(str(kind) if status == PARSED else str(status), int(count))
        dated = f"FROM records WHERE {_AT} >= ?"
        width = len(_FEW_VALUES)
        for kind, failed, *values, count, first, last in self._db.execute(
            f"SELECT kind, {_FAILED}, {', '.join(_FEW_VALUES)}, count(*), min({_AT}), max({_AT}) {dated} "
            f"GROUP BY {', '.join(str(i) for i in range(1, width + 3))}", (cutoff,)
        ):
            out.add_records(str(kind), int(count), first, last)
            if failed:
                for name, value in zip(_FEW_VALUES, values, strict=True):
                    out.add_failures(name, ((value, int(count)),))
        for name, expression in _MANY_VALUES.items():
            out.add_failures(name, self._db.execute(
                f"SELECT {expression}, count(*) {dated} AND {_FAILED} GROUP BY 1", (cutoff,)
            ))
        self._db.create_function("dsn_header", 2, _header_of_json, deterministic=True)
        for index, name in enumerate(header_names):
            out.add_header(index, self._db.execute(
                f"SELECT {_HEADER}, {_FAILED}, count(*) {dated} GROUP BY 1, 2", (_json_path(name), name, cutoff),
            ))
        return out

    # -- the suppression list ----------------------------------------------------------------------

    def suppressions(self, policy: Policy | None = None, *, since: str | datetime | None = None) -> list[Suppression]:
        """The suppression list under ``policy`` (default :class:`Policy`), sorted by address.

        The store's allow-list is added to the policy's; a suppression removed by hand
        (:meth:`unsuppress`) comes back only with a new failure or complaint after its removal.
        ``since``: only the suppressions that began at or after this time (what is new).
        """
        return list(self.each_suppression(policy, since=since))

    def each_suppression(self, policy: Policy | None = None, *,
                         since: str | datetime | None = None) -> Iterator[Suppression]:
        """:meth:`suppressions`, streamed in address order (one address's events held at a time)."""
        policy = policy or Policy()
        allowed = {a.address for a in self.allowed()}
        if allowed:
            policy = replace(policy, allow=policy.allow | allowed)
        cleared = dict(self._db.execute("SELECT address, max(at) FROM removals GROUP BY address").fetchall())
        floor = as_time(since) if since is not None else None
        rows = self._db.execute(
            f"SELECT {EVENT_COLUMNS} FROM records "  # noqa: S608 - constant column lists
            f"WHERE {_LIST_ADDRESS} != '' AND (kind = ? OR (kind = ? AND action = 'failed')) "
            "ORDER BY 1, at, id",
            (str(Kind.COMPLAINT), str(Kind.FAILURE)),
        )
        for address, group in groupby(map(Event._make, rows), key=attrgetter("recipient")):
            decided = decide(list(group), policy, cleared_at=cleared.get(address))
            if decided is not None and (floor is None or decided.since >= floor):
                yield decided

    def skipped(self) -> list[Skipped]:
        """Addresses with sender- or content-side failures, which no suppression counts, sorted by address."""
        rows = self._db.execute(
            f"SELECT {EVENT_COLUMNS} FROM records "  # noqa: S608 - constant column lists
            f"WHERE {_LIST_ADDRESS} != '' AND kind = ? AND action = 'failed' AND side IN ('sender', 'content') "
            "ORDER BY 1, at, id",
            (str(Kind.FAILURE),),
        )
        out: list[Skipped] = []
        for _key, group in groupby(map(Event._make, rows), key=attrgetter("recipient")):
            left_out = skipped(list(group))
            if left_out is not None:
                out.append(left_out)
        return out

    def unsuppress(self, address: str, reason: str) -> Suppression | None:
        """Take ``address`` off the suppression list, keeping ``reason`` as evidence; returns the
        suppression removed, or ``None`` (and records nothing) when the address is not suppressed.
        A later failure or complaint can suppress it again; :meth:`allow` keeps it off for good."""
        if not reason.strip():
            raise ValueError("a reason is needed to remove a suppression")
        key = address.strip().lower()
        current = next((s for s in self.suppressions() if s.address == key), None)
        if current is None:
            return None
        last = self._db.execute(
            f"SELECT max({_AT}) FROM records WHERE {_LIST_ADDRESS} = ?", (key,)  # noqa: S608 - constant SQL
        ).fetchone()[0]
        with self._transaction() as cur:
            cur.execute("INSERT INTO removals (address, reason, at, cause, since) VALUES (?, ?, ?, ?, ?)",
                        (key, reason.strip(), max(last or "", utc_now()), current.cause, current.since))
        return current

    def removals(self) -> list[Removal]:
        """Every suppression removed by hand, oldest first, with its reason."""
        rows = self._db.execute("SELECT address, reason, at, cause, since FROM removals ORDER BY id")
        return [Removal(*row) for row in rows]

    def allow(self, address: str, reason: str) -> None:
        """Put ``address`` on the allow-list (never suppressed), with the reason why."""
        if not reason.strip():
            raise ValueError("a reason is needed to allow an address")
        with self._transaction() as cur:
            cur.execute("INSERT INTO allow_list (address, reason, added) VALUES (?, ?, ?) ON CONFLICT (address) "
                        "DO UPDATE SET reason = excluded.reason, added = excluded.added",
                        (address.strip().lower(), reason.strip(), utc_now()))

    def disallow(self, address: str) -> bool:
        """Take ``address`` off the allow-list; False when it was not on it."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM allow_list WHERE address = ?", (address.strip().lower(),))
            return cur.rowcount > 0

    def allowed(self) -> list[Allowed]:
        """The allow-list, sorted by address."""
        return [Allowed(*row) for row in self._db.execute("SELECT address, reason, added FROM allow_list ORDER BY 1")]

    # -- re-reading --------------------------------------------------------------------------------

    def reparse(self, *, table: CodeTable | None = None, original_headers: Sequence[str] | None = None,
                batch_size: int = 200) -> Reparse:
        """Parse every kept message again and replace its records (idempotent: a second run with
        the same options changes nothing). ``original_headers``: the headers to copy (default:
        those each message was stored with). Returns what changed, suppression list included."""
        result = Reparse()
        before = {s.address for s in self.suppressions()}
        result.unavailable = int(self._db.execute(
            "SELECT count(*) FROM messages WHERE raw IS NULL AND status != ?", (DUPLICATE,)).fetchone()[0])
        ids = [int(r[0]) for r in self._db.execute("SELECT id FROM messages WHERE raw IS NOT NULL ORDER BY id")]
        for start in range(0, len(ids), batch_size):
            with self._transaction() as cur:
                for message_id in ids[start:start + batch_size]:
                    self._reparse_one(cur, message_id, table, original_headers, result)
        after = {s.address for s in self.suppressions()}
        result.suppressed = sorted(after - before)
        result.unsuppressed = sorted(before - after)
        return result

    def _reparse_one(self, cur: sqlite3.Cursor, message_id: int, table: CodeTable | None,
                     headers: Sequence[str] | None, result: Reparse) -> None:
        source, mailbox, uidvalidity, uid, status, received, raw, names = cur.execute(
            "SELECT source, mailbox, uidvalidity, uid, status, received, raw, header_names FROM messages WHERE id = ?",
            (message_id,),
        ).fetchone()
        key = MessageKey(mailbox, uidvalidity, uid)
        asked = tuple(headers) if headers is not None else tuple(json.loads(names or "[]"))
        result.messages += 1
        old = {r.recipient_key: r for r in _verdicts(cur, message_id)}
        try:
            report = parse(zlib.decompress(raw), source=source, table=table, original_headers=asked)
        except Exception as exc:  # parse errors and parser bugs alike: the message stays failed
            result.failed += 1
            cur.execute("UPDATE messages SET status = ?, error = ?, header_names = ? WHERE id = ?",
                        (FAILED, f"{type(exc).__name__}: {exc}", json.dumps(list(asked)), message_id))
            cur.execute("DELETE FROM records WHERE message = ?", (message_id,))
            new: dict[str, _Verdict] = {}
        else:
            if status == FAILED:
                result.recovered += 1
            cur.execute("UPDATE messages SET status = ?, kind = ?, error = NULL, header_names = ? WHERE id = ?",
                        (PARSED, str(report.kind), json.dumps(list(asked)), message_id))
            cur.execute("DELETE FROM records WHERE message = ?", (message_id,))
            _insert_records(cur, message_id, key, report, received)
            new = {r.recipient_key: r for r in _verdicts(cur, message_id)}
            result.records += len(new)
        for rkey in sorted(old.keys() | new.keys()):
            was, now = old.get(rkey), new.get(rkey)
            if was is None or now is None or was.verdict != now.verdict:
                recipient = now.recipient if now is not None else was.recipient if was is not None else None
                result.changes.append(Change(str(source), recipient,
                                             was.verdict if was else (None, None, None),
                                             now.verdict if now else (None, None, None)))


class _Verdict(NamedTuple):
    recipient_key: str
    recipient: str | None
    verdict: tuple[str | None, str | None, bool | None]


def _verdicts(cur: sqlite3.Cursor, message_id: int) -> list[_Verdict]:
    rows = cur.execute(
        "SELECT recipient_key, recipient, reason, bounce_type, suppress FROM records WHERE message = ?", (message_id,)
    ).fetchall()
    return [_Verdict(r[0], r[1], (r[2], r[3], bool(r[4]))) for r in rows]


def _insert_records(cur: sqlite3.Cursor, message_id: int, key: MessageKey, report: Report, received: str) -> None:
    columns = ", ".join(f'"{f}"' for f in _FIELD_COLUMNS)
    placeholders = ", ".join("?" for _ in range(len(_FIELD_COLUMNS) + 7))
    for record in report.records:
        cur.execute(
            f"INSERT OR IGNORE INTO records (message, mailbox, uidvalidity, uid, recipient_key, kind, "  # noqa: S608
            f"received, {columns}) VALUES ({placeholders})",
            (message_id, key.mailbox, key.uidvalidity, key.uid, (record.recipient or "").lower(),
             str(report.kind), received, *_row(record)),
        )


def compress(raw: bytes) -> bytes:
    """A message as the store keeps it (zlib, level 6)."""
    return zlib.compress(raw, 6)


TIMELINE_FIELDS = ("source", "recipient", "action", "diagnostic", "date", "reason", "side", "provider", "blocked_by",
                   "sender_identity", "help_url")
"""The record fields :meth:`Store.timeline` fills: those incidents are made of."""
_HEADER = "CASE WHEN headers = '{}' THEN NULL ELSE coalesce(json_extract(headers, ?), dsn_header(headers, ?)) END"
"""A header's value in the JSON header map: the name as asked (fast, in SQLite), else in any case."""
_FEW_VALUES = tuple(name for name in FAILURE_FIELDS if name != "domain")
"""The failure fields of few values: counted in one ``GROUP BY`` of all of them with the kind."""
_MANY_VALUES: dict[str, str] = {
    "domain": "CASE WHEN instr(recipient_key, '@') > 0 THEN substr(recipient_key, instr(recipient_key, '@') + 1) END",
    "hour": f"substr({_AT}, 1, 13)",
}
"""The failure fields of many values, one ``GROUP BY`` each (grouped together with the others they
would make as many groups as records): the recipient's domain and the hour."""
_FAILED = (
    f"(kind = '{Kind.FAILURE}' AND coalesce(action, 'failed') NOT IN "
    f"({', '.join(repr(a) for a in sorted(NOT_FAILED))}))"
)
"""SQL for :attr:`dsnparse.summary.Row.is_failure`."""


def _json_path(name: str) -> str:
    """The JSON path of a key in the header map (``$."X-Campaign"``)."""
    return '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header_of_json(headers: str | None, name: str) -> str | None:
    """SQL function ``dsn_header(headers, name)``: a header's value in a record's JSON header map."""
    return header_value(json.loads(headers), name) if headers else None


def _row(record: BounceRecord) -> list[Any]:
    values: list[Any] = []
    for name, value in record.to_dict().items():
        if name in _KEY_COLUMNS:
            continue
        if name in _JSON_FIELDS:
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return values


def _record(row: Sequence[Any]) -> BounceRecord:
    data = dict(zip(FIELDS, row, strict=True))
    for name in _JSON_FIELDS:
        data[name] = _EMPTY_JSON.get(data[name]) if data[name] in _EMPTY_JSON else json.loads(data[name])
    data["suppress"] = bool(data["suppress"])
    return BounceRecord.from_dict(data)
