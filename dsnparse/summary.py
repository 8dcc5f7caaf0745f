"""What ``dsnparse report`` counts: records in, counters out, one pass, nothing kept per record.

A :class:`Counters` takes one :class:`Row` at a time (the few fields of a record the report
counts), with a weight, so the same counters serve a stream of parsed messages (weight 1) and
the grouped rows of a SQL ``GROUP BY`` over the store (weight ``count(*)``). Its
:meth:`Counters.tables` are the report's sections as plain :class:`Table` values that every
output format renders the same way. Pure: no I/O, no clock (the caller passes ``since``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from .incidents import Incident
from .record import Kind
from .suppression import Event, Policy, Suppression, decide

HOURLY_SPAN = timedelta(days=3)
"""Failures are counted by hour when the records span less than this, else by day."""
NONE_LABEL = "(none)"
"""The value shown for a record that has no value in a counted field."""
_UNDATED = ""
NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})
"""Actions of a failure report's records that are no failure (a report may mix outcomes)."""
FAILURE_FIELDS: tuple[str, ...] = ("reason", "side", "bounce_type", "provider", "blocked_by", "domain")
"""The :class:`Row` fields failures are broken down by (each a section), besides the time."""


class Row(NamedTuple):
    """The fields of one record that the report counts."""

    kind: str
    """The kind of the record's report (``failure``, ``delay``...)."""
    action: str | None
    reason: str
    side: str | None
    bounce_type: str | None
    provider: str | None
    blocked_by: str | None
    domain: str | None
    """The recipient's domain, lower-cased."""
    at: str | None
    """When: the record's date (the store falls back to when the message was received), ISO UTC."""
    headers: tuple[str | None, ...] = ()
    """The values of the headers the report groups by, in the order they were asked for."""

    @property
    def is_failure(self) -> bool:
        """True for a recipient whose delivery failed (a failure report's record not delayed or delivered)."""
        return self.kind == Kind.FAILURE and (self.action or "failed") not in NOT_FAILED


def domain_of(address: str | None) -> str | None:
    """The domain of an address, lower-cased (``None`` without an ``@``)."""
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2].strip().strip(">").lower() or None


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    """The value of header ``name`` in a record's header map, whatever the case of its key."""
    if not headers:
        return None
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def row_of(kind: str, record: Mapping[str, Any], header_names: Sequence[str] = ()) -> Row:
    """The :class:`Row` of a record dict (``BounceRecord.to_dict()``) in a report of ``kind``."""
    headers = record.get("headers")
    return Row(
        kind=str(kind),
        action=record.get("action"),
        reason=str(record.get("reason") or "undefined"),
        side=record.get("side"),
        bounce_type=record.get("bounce_type"),
        provider=record.get("provider"),
        blocked_by=record.get("blocked_by"),
        domain=domain_of(record.get("recipient")),
        at=record.get("date"),
        headers=tuple(header_value(headers, n) for n in header_names),
    )


def parse_since(text: str, now: datetime) -> str:
    """``--since`` as an ISO UTC time: ``7d``, ``12h``, ``30m`` before ``now``, or an ISO date or time.

    Raises ``ValueError`` for anything else.
    """
    text = text.strip()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if len(text) > 1 and text[-1] in units and text[:-1].isdigit():
        moment = now - timedelta(**{units[text[-1]]: int(text[:-1])})
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Table:
    """One section of the report: a titled table with named columns."""

    name: str
    """The section's key in the JSON and CSV output (``failures_by_reason``...)."""
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    """What the reader should know about the section (what is counted, what is left out)."""
    chart: bool = True
    """True when the HTML report draws the section as a bar chart (first column against the last)."""
    terminal: tuple[str, ...] = ()
    """The columns the terminal table shows (empty: all)."""
    detail: str | None = None
    """A column the terminal prints in full, one line per row, under its table."""


class Counters:
    """The report's counters. Feed it with :meth:`add_message` and :meth:`add`, read :meth:`tables`."""

    def __init__(self, header_names: Sequence[str] = (), since: str | None = None):
        self.header_names = tuple(header_names)
        self.since = since
        """Records dated before this ISO UTC time are not counted (undated ones neither, once it is set)."""
        self.messages: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.failures: dict[str, Counter[str]] = {f: Counter() for f in FAILURE_FIELDS}
        self.hours: Counter[str] = Counter()
        """Failures by ``YYYY-MM-DDTHH`` (the empty key for undated ones)."""
        self.by_header: tuple[Counter[tuple[str, bool]], ...] = tuple(Counter() for _ in self.header_names)
        self.first: str | None = None
        self.last: str | None = None
        self.suppressed: dict[str, Suppression] = {}
        """Addresses a record suppresses at once (a complaint, a hard failure saying the address is dead),
        the first such record of each; soft failures need the history a store keeps."""

    def in_period(self, at: str | None) -> bool:
        """True when a record dated ``at`` belongs to the report's period."""
        return self.since is None or (at is not None and at >= self.since)

    def add_message(self, kind: str, count: int = 1) -> None:
        """Count ``count`` messages of ``kind`` (``unreadable`` for those that could not be read)."""
        self.messages[str(kind)] += count

    def add_records(self, kind: str, count: int, first: str | None, last: str | None) -> None:
        """Count ``count`` records of ``kind`` dated from ``first`` to ``last`` (a store's ``GROUP BY kind``)."""
        self.records[kind] += count
        if first:
            self.first = first if self.first is None or first < self.first else self.first
        if last:
            self.last = last if self.last is None or last > self.last else self.last

    def add_failures(self, name: str, counts: Iterable[tuple[str | None, int]]) -> None:
        """Add failures counted elsewhere by one of :data:`FAILURE_FIELDS` or by ``hour``
        (``YYYY-MM-DDTHH``): a store's ``GROUP BY`` of that field."""
        counter = self.hours if name == "hour" else self.failures[name]
        for value, count in counts:
            counter[(value or _UNDATED) if name == "hour" else (value or NONE_LABEL)] += count

    def add_header(self, index: int, counts: Iterable[tuple[str | None, bool, int]]) -> None:
        """Add records counted elsewhere by the value of the ``index``-th header and whether they failed."""
        for value, failed, count in counts:
            self.by_header[index][(value or NONE_LABEL, bool(failed))] += count

    def add(self, row: Row) -> None:
        """Count one record (ignored when outside the period)."""
        if not self.in_period(row.at):
            return
        self.add_records(row.kind, 1, row.at, row.at)
        failed = row.is_failure
        for by_value, value in zip(self.by_header, row.headers, strict=True):
            by_value[(value or NONE_LABEL, failed)] += 1
        if not failed:
            return
        for name, counter in self.failures.items():
            counter[str(getattr(row, name) or NONE_LABEL)] += 1
        self.hours[row.at[:13] if row.at else _UNDATED] += 1

    def add_report(self, kind: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Count one parsed message and its records (a message outside the period counts only when
        one of its records is in it; one without records only when no ``since`` is set)."""
        kept = 0
        total = 0
        for record in records:
            total += 1
            row = row_of(kind, record, self.header_names)
            if self.in_period(row.at):
                kept += 1
                self.add(row)
                self._suppress(row, record)
        if kept or (not total and self.since is None):
            self.add_message(kind)

    def _suppress(self, row: Row, record: Mapping[str, Any]) -> None:
        final = str(record.get("recipient") or "").lower()
        address = str(record.get("original_recipient") or final).lower()  # the address on the list, as the store
        if not address or address in self.suppressed or (row.kind == Kind.FAILURE and not row.is_failure):
            return
        event = Event(address, row.kind, record.get("action"), record.get("bounce_type"),
                      bool(record.get("suppress")), str(record.get("reason") or "undefined"), record.get("status"),
                      record.get("source"), str(record.get("date") or ""), str(row.side or "unknown"), final or None)
        decided = decide([event], _IMMEDIATE)
        if decided is not None:
            self.suppressed[address] = decided

    @property
    def hourly(self) -> bool:
        """True when the dated failures span less than :data:`HOURLY_SPAN` (then counted by hour)."""
        dated = [h for h in self.hours if h]
        if not dated:
            return True
        first, last = (datetime.fromisoformat(min(dated) + ":00"), datetime.fromisoformat(max(dated) + ":00"))
        return last - first < HOURLY_SPAN

    def time_rows(self) -> list[tuple[str, int]]:
        """Failures by hour (``2026-12-01 09:00``) or by day (``2026-12-01``), oldest first, undated last."""
        buckets: Counter[str] = Counter()
        hourly = self.hourly
        for hour, count in self.hours.items():
            buckets[_bucket(hour, hourly)] += count
        return sorted(buckets.items(), key=lambda kv: (kv[0] == "undated", kv[0]))

    def tables(self) -> list[Table]:
        """The counted sections, in report order (totals, failures by each field, by time, by header)."""
        kinds = [str(k) for k in Kind]
        extra = sorted(set(self.messages) - set(kinds))
        totals = tuple((k, self.messages[k], self.records[k]) for k in [*kinds, *extra])
        out = [
            Table("totals", "Messages and records by kind", ("kind", "messages", "records"), totals,
                  note="A message is one email; a record is one recipient's outcome in it (a report may "
                  "name several). Unreadable messages have no records.", chart=False),
        ]
        for name in FAILURE_FIELDS:
            title, column = _FAILURE_TITLES[name]
            out.append(Table(f"failures_by_{name}", title, (column, "failures"), tuple(_ranked(self.failures[name]))))
        unit = "hour" if self.hourly else "day"
        out.append(Table("failures_by_time", f"Failures by {unit}", (unit, "failures"), tuple(self.time_rows()),
                         note="Times are UTC."))
        for header, counter in zip(self.header_names, self.by_header, strict=True):
            values: Counter[str] = Counter()
            failed: Counter[str] = Counter()
            for (value, is_failure), count in counter.items():
                values[value] += count
                if is_failure:
                    failed[value] += count
            out.append(Table(f"by_header_{header.lower()}", f"Records by {header} of the original message",
                             (header, "records", "failures"),
                             tuple((v, values[v], failed[v]) for v, _ in _ranked(values))))
        return out


_FAILURE_TITLES: dict[str, tuple[str, str]] = {
    "reason": ("Failures by reason", "reason"),
    "side": ("Failures by side (whose problem it is)", "side"),
    "bounce_type": ("Failures by hard/soft", "bounce_type"),
    "provider": ("Failures by receiving provider", "provider"),
    "blocked_by": ("Failures by blocklist or provider policy (data/blocks.toml)", "blocked_by"),
    "domain": ("Failures by recipient domain", "domain"),
}
"""Row field -> (section title, column name) of the failure breakdowns."""


def _bucket(hour: str, hourly: bool) -> str:
    """An ``YYYY-MM-DDTHH`` key as the time column: ``2026-12-01 09:00``, ``2026-12-01`` or ``undated``."""
    if not hour:
        return "undated"
    return f"{hour[:10]} {hour[11:13]}:00" if hourly else hour[:10]


def _ranked(counter: Mapping[str, int]) -> list[tuple[str, int]]:
    """Most first, then by name, so equal counts come out in a stable order."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


INCIDENT_COLUMNS = ("advice", "provider", "cause", "identity", "first_seen", "last_seen", "end", "messages",
                    "recipients", "reply", "help_url")
"""The columns of the incident sections (``dsnparse incidents`` has them all)."""
_INCIDENT_TERMINAL = ("provider", "cause", "identity", "first_seen", "last_seen", "end", "recipients")


def incident_tables(found: Iterable[Incident]) -> list[Table]:
    """The incidents (sender side) and the content incidents, each a section without a chart: the
    ongoing ones first, then by recipients hit."""
    by_side: dict[str, list[tuple[Any, ...]]] = {"sender": [], "content": []}
    for incident in sorted(found, key=lambda i: (i.end != "ongoing", -i.recipients, i.first_seen)):
        data = incident.to_dict()
        by_side.setdefault(incident.side, []).append(tuple(data[c] for c in INCIDENT_COLUMNS))
    note = ("Failures on the sender's side (blocklists, reputation, authentication, rate limits) grouped by "
            "receiving provider, cause and sending identity: fix these, never suppress their recipients.")
    return [
        Table("incidents", "Incidents on the sender's side", INCIDENT_COLUMNS, tuple(by_side["sender"]),
              note=note, chart=False, terminal=_INCIDENT_TERMINAL, detail="advice"),
        Table("content_incidents", "Incidents caused by the content", INCIDENT_COLUMNS, tuple(by_side["content"]),
              note="Spam, virus and content refusals grouped the same way.", chart=False,
              terminal=_INCIDENT_TERMINAL, detail="advice"),
    ]


_IMMEDIATE = Policy(soft_count=1_000_000)
"""A policy under which only complaints and dead addresses suppress (one record tells nothing of repeats)."""
SUPPRESSION_ROWS = 200
"""Most suppressed addresses listed in a report (the ``suppressions`` command exports them all)."""


def suppression_tables(entries: Iterable[Suppression], since: str | None, note: str = "") -> list[Table]:
    """The suppressions added in the period (``since`` at or after ``since``): counts by cause and
    the most recent :data:`SUPPRESSION_ROWS` addresses."""
    causes: Counter[str] = Counter()
    recent: list[Suppression] = []
    for entry in entries:
        if since is not None and entry.since < since:
            continue
        causes[entry.cause] += 1
        recent.append(entry)
        if len(recent) > 2 * SUPPRESSION_ROWS:
            recent = sorted(recent, key=lambda e: e.since, reverse=True)[:SUPPRESSION_ROWS]
    recent = sorted(recent, key=lambda e: (e.since, e.address), reverse=True)[:SUPPRESSION_ROWS]
    total = sum(causes.values())
    listed = tuple((e.address, e.cause, e.since, e.count, e.last_reason, e.last_status) for e in recent)
    return [
        Table("suppressions_by_cause", "Suppressions added in the period, by cause", ("cause", "addresses"),
              tuple(_ranked(causes)), note=note, chart=False),
        Table("suppressions", "Suppressed addresses (most recent first)",
              ("address", "cause", "since", "bounces", "last_reason", "last_status"), listed,
              note=f"{len(listed)} of {total} shown; `dsnparse suppressions --db FILE` exports them all.",
              chart=False),
    ]
