"""Whose problem a failure is (``data/sides.toml``): each reason's side and each side's definition.

``recipient`` (the address, its domain or mailbox), ``sender`` (reputation, blocklists,
authentication, rate limits, PTR, TLS, policy against the sender), ``content`` (spam, malware,
format, size), ``system`` (the receiving system), ``network`` (the way there, the queue giving up)
or ``unknown`` (not a failure, or nothing to decide with).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..phrases import load_toml

SIDES: tuple[str, ...] = ("recipient", "sender", "content", "system", "network", "unknown")
"""Every side, in the documentation's order."""
UNKNOWN = "unknown"
NEVER_SUPPRESSED: frozenset[str] = frozenset({"sender", "content"})
"""Sides whose failures say nothing about the address: their recipients are never suppressed."""


@dataclass(frozen=True, slots=True)
class SideTable:
    """The packaged side table: definitions and the side of each reason (with why)."""

    definitions: dict[str, str]
    by_reason: dict[str, str]
    why: dict[str, str]


@lru_cache(maxsize=1)
def table() -> SideTable:
    """The packaged side table (loaded once); a side outside :data:`SIDES` is a packaging error."""
    data = load_toml("sides.toml")
    raw_sides = data.get("side", {})
    definitions = {str(k): str(v["definition"]) for k, v in raw_sides.items()} if isinstance(raw_sides, dict) else {}
    by_reason: dict[str, str] = {}
    why: dict[str, str] = {}
    rows = data.get("reason", [])
    for row in rows if isinstance(rows, list) else []:
        side = str(row["side"])
        if side not in SIDES:
            raise ValueError(f"sides.toml: {row['name']!r} has an unknown side {side!r}")
        by_reason[str(row["name"])] = side
        why[str(row["name"])] = str(row.get("why", ""))
    return SideTable(definitions=definitions, by_reason=by_reason, why=why)


def side_of(reason: str) -> str:
    """The side of a reason (``unknown`` for a name the table does not hold)."""
    return table().by_reason.get(reason, UNKNOWN)
