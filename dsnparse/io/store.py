"""The embedded bounce store: SQLite (stdlib ``sqlite3``, WAL mode) holding every record, the
messages they came from, a checkpoint per IMAP mailbox, and the suppression list derived from them.

Nothing is counted twice: a message is keyed by ``(mailbox, uidvalidity, uid)`` (files use their
source key as mailbox and 0, 0), a record by that key plus its recipient, and a message whose
bytes were already stored under another key (a UIDVALIDITY reset, the same file ingested twice
under two names) is kept as a ``duplicate`` without records. Each batch is one transaction, so a
crash leaves the store as it was before the batch or after it, never in between.

The suppression list is computed from the records with a :class:`Policy`: a hard failure whose
record says ``suppress`` suppresses at once, a complaint suppresses at once, and soft failures
suppress once ``soft_count`` of them fall within ``soft_days`` days.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..message import normalize_newlines
from ..record import FIELDS, BounceRecord, Kind, Report
from ..summary import FAILURE_FIELDS, NOT_FAILED, Summary, header_value
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
    {", ".join(f'"{f}"' for f in FIELDS)},
    UNIQUE (mailbox, uidvalidity, uid, recipient_key)
);
CREATE INDEX IF NOT EXISTS records_recipient ON records (recipient_key);
CREATE TABLE IF NOT EXISTS checkpoints (
    mailbox TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    updated TEXT NOT NULL
);
"""


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


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a mailbox has been read: the UIDVALIDITY and the highest UID stored."""

    mailbox: str
    uidvalidity: int
    last_uid: int


class Store:
    """A SQLite bounce store. ``Store(path)`` creates the file and schema when missing.

    A ``Store`` may be handed to another thread but used by one thread at a time; several
    processes may use the same file (WAL mode, writers wait up to ``timeout`` seconds).
    """

    def __init__(self, path: str, *, timeout: float = 30.0):
        self.path = path
        self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A store written by an older version gains the record fields added since (``side``
        defaults to ``unknown``, the others to NULL); its rows are otherwise left as they are."""
        have = {str(row[1]) for row in self._db.execute("PRAGMA table_info(records)")}
        for name in FIELDS:
            if name not in have:
                default = " DEFAULT 'unknown'" if name == "side" else ""
                self._db.execute(f'ALTER TABLE records ADD COLUMN "{name}"{default}')

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
        under another key, or the stored status when the key itself was stored before (a re-run).
        """
        statuses: list[str] = []
        now = utc_now()
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for entry in entries:
                statuses.append(self._add_one(cur, entry, now))
            if checkpoint is not None:
                cur.execute(
                    "INSERT INTO checkpoints (mailbox, uidvalidity, last_uid, updated) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
                    "last_uid = excluded.last_uid, updated = excluded.updated",
                    (checkpoint.mailbox, checkpoint.uidvalidity, checkpoint.last_uid, now),
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return statuses

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
        cur.execute(
            "INSERT INTO messages (source, mailbox, uidvalidity, uid, digest, status, kind, error, size, received) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.source, key.mailbox, key.uidvalidity, key.uid, entry.digest, status, kind, entry.error,
             entry.size, received),
        )
        message_id = cur.lastrowid
        if status == PARSED and entry.report is not None:
            placeholders = ", ".join("?" for _ in range(len(FIELDS) + 7))
            for record in entry.report.records:
                cur.execute(
                    f"INSERT OR IGNORE INTO records (message, mailbox, uidvalidity, uid, recipient_key, kind, "  # noqa: S608
                    f"received, {_COLUMNS}) VALUES ({placeholders})",
                    (message_id, key.mailbox, key.uidvalidity, key.uid, (record.recipient or "").lower(),
                     str(entry.report.kind), received, *_row(record)),
                )
        return status

    # -- reading ---------------------------------------------------------------------------------

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
        """Every stored message row (source, mailbox, uidvalidity, uid, status, kind, error...)."""
        cur = self._db.execute(
            "SELECT source, mailbox, uidvalidity, uid, digest, status, kind, error, size, received "
            "FROM messages ORDER BY id"
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def records(self) -> Iterator[tuple[str, BounceRecord]]:
        """Every stored record with the kind of its report, in the order stored."""
        for row in self._db.execute(f"SELECT kind, {_COLUMNS} FROM records ORDER BY id"):  # noqa: S608
            yield str(row[0]), _record(row[1:])

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
            yield record if record.date else dataclasses.replace(record, date=str(at))

    def latest(self) -> str | None:
        """The time of the latest record (its date, else when its message was received), ISO 8601."""
        row = self._db.execute("SELECT max(coalesce(date, received)) FROM records").fetchone()
        return str(row[0]) if row and row[0] else None

    def count(self, table: str = "records") -> int:
        """Rows in ``records`` or ``messages``."""
        if table not in ("records", "messages"):
            raise ValueError(f"no table {table!r}")
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608

    def summary(self, header_names: Sequence[str] = (), since: str | None = None) -> Summary:
        """The report's counters over the stored messages and records, from SQL ``GROUP BY``.

        Records are dated by their ``date``, else by when their message was received; messages by
        when they were received. ``since`` (ISO UTC) leaves out what is older.
        """
        out = Summary(header_names, since)
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

    def suppressions(self, policy: Policy | None = None) -> list[Suppression]:
        """The suppression list under ``policy`` (default :class:`Policy`), sorted by address."""
        return list(self.each_suppression(policy))

    def each_suppression(self, policy: Policy | None = None) -> Iterator[Suppression]:
        """The suppression list under ``policy``, streamed in address order (one address's events held at a time)."""
        policy = policy or Policy()
        rows = self._db.execute(
            f"SELECT {EVENT_COLUMNS} FROM records "  # noqa: S608 - a constant column list
            "WHERE recipient_key != '' AND (kind = ? OR (kind = ? AND action = 'failed')) "
            "ORDER BY recipient_key, at, id",
            (str(Kind.COMPLAINT), str(Kind.FAILURE)),
        )
        for _key, group in groupby(map(Event._make, rows), key=attrgetter("recipient")):
            decided = decide(list(group), policy)
            if decided is not None:
                yield decided

    def skipped(self) -> list[Skipped]:
        """Addresses with sender- or content-side failures, which no suppression counts, sorted by address."""
        rows = self._db.execute(
            f"SELECT {EVENT_COLUMNS} FROM records "  # noqa: S608 - a constant column list
            "WHERE recipient_key != '' AND kind = ? AND action = 'failed' AND side IN ('sender', 'content') "
            "ORDER BY recipient_key, at, id",
            (str(Kind.FAILURE),),
        )
        out: list[Skipped] = []
        for _key, group in groupby(map(Event._make, rows), key=attrgetter("recipient")):
            left_out = skipped(list(group))
            if left_out is not None:
                out.append(left_out)
        return out


TIMELINE_FIELDS = ("source", "recipient", "action", "diagnostic", "date", "reason", "side", "provider", "blocked_by",
                   "sender_identity", "help_url")
"""The record fields :meth:`Store.timeline` fills: those incidents are made of."""
_AT = "coalesce(date, received)"
"""When a stored record happened: its date, else when its message was received."""
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
