"""Fixture-based regression checks: each message beside a ``.json`` of the records it must give.

``<name>.eml`` (or ``.msg``/``.txt``/no suffix) sits beside ``<name>.json``::

    {"kind": "failure", "records": [{"recipient": "...", "status": "5.1.1", ...}]}

Every key written in the expected file is compared; keys left out are not. ``update`` writes the
current output (all fields but ``source``), which is how a user freezes a sample mailbox.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..classify.codes import CodeTable
from ..core import parse
from ..errors import DsnparseError

MESSAGE_SUFFIXES = (".eml", ".msg", ".txt", "")


@dataclass(slots=True)
class Outcome:
    """The result of checking one fixture."""

    path: str
    differences: list[str] = field(default_factory=list)
    updated: bool = False

    @property
    def ok(self) -> bool:
        """True when the message gave what its ``.json`` expects."""
        return not self.differences


def fixtures(root: str) -> Iterator[tuple[str, str]]:
    """``(message path, expected json path)`` for every message below ``root`` with a json twin."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            stem, ext = os.path.splitext(name)
            if ext == ".json" or ext not in MESSAGE_SUFFIXES or name.startswith("."):
                continue
            yield os.path.join(folder, name), os.path.join(folder, stem + ".json")


def actual(path: str, table: CodeTable | None = None, original_headers: Sequence[str] = ()) -> dict[str, Any]:
    """What dsnparse gives for a message now, in the fixture layout."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        report = parse(raw, table=table, original_headers=original_headers)
    except DsnparseError as exc:
        return {"error": type(exc).__name__}
    records = []
    for r in report.records:
        d = r.to_dict()
        d.pop("source", None)
        records.append(d)
    return {"kind": str(report.kind), "records": records}


def compare(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Differences between an expected fixture and the actual output (keys of expected only)."""
    diffs: list[str] = []
    for key in ("kind", "error"):
        if key in expected and expected[key] != got.get(key):
            diffs.append(f"{key}: expected {expected[key]!r}, got {got.get(key)!r}")
    if "records" in expected:
        exp, have = expected["records"], got.get("records", [])
        if len(exp) != len(have):
            diffs.append(f"records: expected {len(exp)}, got {len(have)}")
        for i, (e, h) in enumerate(zip(exp, have, strict=False)):
            for k, v in e.items():
                if h.get(k) != v:
                    diffs.append(f"record {i} {k}: expected {v!r}, got {h.get(k)!r}")
    return diffs


def check(root: str, *, update: bool = False, table: CodeTable | None = None) -> list[Outcome]:
    """Check (or with ``update``, rewrite) every fixture below ``root``."""
    out = []
    for msg, js in fixtures(root):
        got = actual(msg, table)
        outcome = Outcome(msg)
        if update:
            with open(js, "w", encoding="utf-8") as fh:
                json.dump(got, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
            outcome.updated = True
        elif not os.path.exists(js):
            outcome.differences.append(f"no expected records: {js} is missing (run with --update)")
        else:
            with open(js, encoding="utf-8") as fh:
                outcome.differences = compare(json.load(fh), got)
        out.append(outcome)
    return out
