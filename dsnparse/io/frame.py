"""Records as a pandas DataFrame (the ``dsnparse[pandas]`` extra): ``dsnparse.frame(...)`` and ``Store.frame()``.

One row per record, the columns of :data:`~dsnparse.record.FIELDS` after ``kind`` (the kind of
the record's report), with types that make analysis work at once: ``kind``, ``reason``, ``side``
and ``bounce_type`` are categoricals (``kind``, ``side`` and ``bounce_type`` with every possible
value as a category, so counts show zeros), ``date`` is a timezone-aware UTC datetime,
``suppress`` is a bool, the other text fields are pandas strings, and ``flags`` holds a list per
row. ``headers=True`` (every header found) or ``headers=[names]`` adds the header map as
columns named ``headers.<Name>``, as ``pandas.json_normalize`` names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..classify.sides import SIDES
from ..record import FIELDS, BounceRecord, Kind, Report
from ..summary import header_value

CATEGORIES: dict[str, tuple[str, ...] | None] = {
    "kind": tuple(str(k) for k in Kind),
    "reason": None,
    "side": tuple(SIDES),
    "bounce_type": ("hard", "soft"),
}
"""Categorical columns and their categories (``None``: the values found)."""
JSONL_DTYPES: dict[str, str] = {"reply_code": "string"}
"""What ``pandas.read_json(path, lines=True, dtype=JSONL_DTYPES)`` needs to keep every type of the
JSON Lines output: without it a reply code such as ``"550"`` is read as the float ``550.0``."""

Recordish = Report | BounceRecord | Mapping[str, Any]


def _rows(items: Iterable[Recordish]) -> Iterable[tuple[str | None, Mapping[str, Any]]]:
    for item in items:
        if isinstance(item, Report):
            for record in item.records:
                yield str(item.kind), record.to_dict()
        elif isinstance(item, BounceRecord):
            yield None, item.to_dict()
        else:
            yield item.get("kind"), item


def frame(items: Iterable[Recordish], *, headers: bool | Sequence[str] = False) -> pd.DataFrame:
    """A typed DataFrame of the records of ``items``: :class:`~dsnparse.record.Report` values (each
    record with its report's kind), :class:`~dsnparse.record.BounceRecord` values or record dicts
    (``BounceRecord.to_dict()``, JSON Lines output; their ``kind`` when they have one)."""
    columns: dict[str, list[Any]] = {name: [] for name in ("kind", *FIELDS)}
    header_maps: list[Mapping[str, str]] = []
    for kind, record in _rows(items):
        columns["kind"].append(kind)
        for name in FIELDS:
            columns[name].append(record.get(name))
        header_maps.append(record.get("headers") or {})
    columns["flags"] = [list(f or ()) for f in columns["flags"]]
    columns.pop("headers")
    out = pd.DataFrame(columns)
    for name in out.columns:
        if name in CATEGORIES:
            known = CATEGORIES[name]
            out[name] = pd.Categorical(out[name], categories=known) if known else out[name].astype("category")
        elif name == "date":
            out[name] = pd.to_datetime(out[name], utc=True, format="ISO8601")
        elif name == "suppress":
            out[name] = out[name].fillna(False).astype(bool)
        elif name != "flags":
            out[name] = out[name].astype("string")
    for name in _header_names(header_maps, headers):
        out[f"headers.{name}"] = pd.array([header_value(h, name) for h in header_maps], dtype="string")
    return out


def _header_names(maps: Sequence[Mapping[str, str]], wanted: bool | Sequence[str]) -> list[str]:
    if wanted is False:
        return []
    if wanted is True:
        seen: dict[str, str] = {}
        for headers in maps:
            for name in headers:
                seen.setdefault(name.lower(), name)
        return sorted(seen.values(), key=str.lower)
    return list(wanted)
