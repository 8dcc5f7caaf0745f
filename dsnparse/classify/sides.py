"""Whose problem a failure is (``data/sides.toml``): each reason's side and each side's definition.

``recipient`` (the address, its domain or mailbox), ``sender`` (reputation, blocklists,
authentication, rate limits, PTR, TLS, policy against the sender), ``content`` (spam, malware,
format, size), ``system`` (the receiving system), ``network`` (the way there, the queue giving up)
or ``unknown`` (not a failure, or nothing to decide with).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..rows import TableError, load_rows

SIDES: tuple[str, ...] = ("recipient", "sender", "content", "system", "network", "unknown")
"""Every side, in the documentation's order."""
UNKNOWN = "unknown"
NEVER_SUPPRESSED: frozenset[str] = frozenset({"sender", "content"})
"""Sides whose failures say nothing about the address: their recipients are never suppressed."""


@dataclass(frozen=True, slots=True)
class SideRow:
    """A ``[side.<name>]`` of ``data/sides.toml``."""

    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class ReasonSide:
    """A ``[[reason]]`` of ``data/sides.toml``: the side of one reason, and why."""

    name: str
    side: str
    why: str


@dataclass(frozen=True, slots=True)
class SideTable:
    """The packaged side table: definitions and the side of each reason (with why)."""

    definitions: dict[str, str]
    by_reason: dict[str, str]
    why: dict[str, str]


@lru_cache(maxsize=1)
def table() -> SideTable:
    """The packaged side table (loaded once); a side outside :data:`SIDES` is a packaging error."""
    reasons = load_rows("sides.toml", "reason", ReasonSide)
    for row in reasons:
        if row.side not in SIDES:
            raise TableError(f"sides.toml: {row.name!r} has an unknown side {row.side!r}")
    return SideTable(
        definitions={row.name: row.definition for row in load_rows("sides.toml", "side", SideRow)},
        by_reason={row.name: row.side for row in reasons},
        why={row.name: row.why for row in reasons},
    )


def side_of(reason: str) -> str:
    """The side of a reason (``unknown`` for a name the table does not hold)."""
    return table().by_reason.get(reason, UNKNOWN)
