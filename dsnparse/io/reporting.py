"""The inputs of ``dsnparse report``: messages parsed as they stream in, or a store's SQL aggregates,
both counted by one :class:`~dsnparse.summary.Counters`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..classify.codes import CodeTable
from ..classify.sides import NEVER_SUPPRESSED
from ..incidents import ACCEPTED, incidents
from ..limits import Limits
from ..record import BounceRecord, record_time
from ..summary import Counters, Table, incident_tables, suppression_tables
from ..suppression import Policy
from .parallel import outcomes
from .sources import Item
from .store import Store

UNREADABLE = "unreadable"
"""The kind under which messages that could not be read are counted."""


@dataclass(frozen=True, slots=True)
class Counted:
    """A filled :class:`Counters`, the report sections that come from elsewhere, and the read errors."""

    counters: Counters
    first: tuple[Table, ...]
    """Sections shown before the counters, what needs action: the incidents."""
    last: tuple[Table, ...]
    """Sections after the counters: the suppressions added in the period."""
    errors: int = 0
    """Messages that could not be read or parsed (each named through ``on_error``)."""

    def tables(self) -> list[Table]:
        """Every section in report order: incidents, counters, suppressions."""
        return [*self.first, *self.counters.tables(), *self.last]


def from_items(
    items: Iterable[Item],
    *,
    header_names: Sequence[str] = (),
    since: str | None = None,
    jobs: int = 1,
    table: CodeTable | None = None,
    limits: Limits | None = None,
    on_error: Callable[[str, str], None] = lambda source, error: None,
) -> Counted:
    """Parse messages (``jobs`` worker processes, see :func:`~dsnparse.io.parallel.outcomes`) and count
    each as it comes, in one pass that also feeds :func:`~dsnparse.incidents.incidents`: memory holds
    the counters and the open incidents, never the records."""
    counters = Counters(header_names, since)
    errors = 0

    def counted() -> Iterator[BounceRecord]:
        nonlocal errors
        for out in outcomes(items, jobs=jobs, table=table, original_headers=header_names, limits=limits):
            if out.error is not None:
                errors += 1
                on_error(out.source, out.error)
            if out.unreadable:
                counters.add_message(UNREADABLE)
                continue
            counters.add_report(out.kind, out.records)
            for record in out.records:
                if record.get("side") in NEVER_SUPPRESSED or record.get("action") in ACCEPTED:
                    yield BounceRecord.from_dict(record)

    found = incidents(counted(), since=_moment(since))
    note = "Soft failures are not counted here: their repeats need a store (dsnparse ingest, then report --db)."
    return Counted(counters, tuple(incident_tables(found)),
                   tuple(suppression_tables(counters.suppressed.values(), since, note)), errors)


def from_store(store: Store, *, header_names: Sequence[str] = (), since: str | None = None,
               policy: Policy | None = None) -> Counted:
    """Count a store's records with SQL ``GROUP BY``, find the incidents in its time-ordered
    :meth:`~dsnparse.io.store.Store.timeline` and list the suppressions added since ``since``."""
    counters = store.counters(header_names, since)
    found = incidents(store.timeline(since), since=_moment(since), now=_moment(store.latest()))
    suppressions = suppression_tables(store.each_suppression(policy, since=since), since)
    return Counted(counters, tuple(incident_tables(found)), tuple(suppressions))


def _moment(since: str | None) -> datetime | None:
    return record_time(since)
