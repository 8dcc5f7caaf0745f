"""The inputs of ``dsnparse report``: messages parsed as they stream in, or a store's SQL aggregates,
both counted by one :class:`~dsnparse.summary.Summary`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..classify.codes import CodeTable
from ..limits import Limits
from ..summary import Summary, Table, suppression_tables
from ..suppression import Policy
from .parallel import outcomes
from .sources import Item
from .store import Store

UNREADABLE = "unreadable"
"""The kind under which messages that could not be read are counted."""


@dataclass(frozen=True, slots=True)
class Counted:
    """A filled :class:`Summary`, the report sections that come from elsewhere, and the read errors."""

    summary: Summary
    extra: tuple[Table, ...]
    """Sections beside the counters: the suppressions added in the period."""
    errors: int = 0
    """Messages that could not be read or parsed (each named through ``on_error``)."""

    def tables(self) -> list[Table]:
        """Every section in report order."""
        return [*self.summary.tables(), *self.extra]


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
    each as it comes: memory holds the counters, never the records."""
    summary = Summary(header_names, since)
    errors = 0
    for out in outcomes(items, jobs=jobs, table=table, original_headers=header_names, limits=limits):
        if out.error is not None:
            errors += 1
            on_error(out.source, out.error)
        if out.unreadable:
            summary.add_message(UNREADABLE)
            continue
        summary.add_report(out.kind, out.records)
    note = "Soft failures are not counted here: their repeats need a store (dsnparse ingest, then report --db)."
    return Counted(summary, tuple(suppression_tables(summary.suppressed.values(), since, note)), errors)


def from_store(store: Store, *, header_names: Sequence[str] = (), since: str | None = None,
               policy: Policy | None = None) -> Counted:
    """Count a store's records with SQL ``GROUP BY`` and list the suppressions added since ``since``."""
    summary = store.summary(header_names, since)
    return Counted(summary, tuple(suppression_tables(store.suppressions(policy), since)))
