"""Fixture-based regression checks: each message beside a ``.json`` of the records it must give.

``<name>.eml`` (or ``.msg``/``.txt``/no suffix) sits beside ``<name>.json``::

    {"kind": "failure", "records": [{"recipient": "...", "status": "5.1.1", ...}]}

Every key written in the expected file is compared; keys left out are not. Records are matched
by recipient (case-insensitive), then by position among the records without one, so a report
that lists its recipients in another order is no difference. ``update`` rewrites an expected
file only where the output changed, keeping the keys it pins; a message without a ``.json`` gets
one with every field but ``source`` (how a user freezes a sample mailbox).
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..classify.codes import CodeTable
from ..core import parse
from ..errors import DsnparseError
from ..limits import Limits

MESSAGE_SUFFIXES = (".eml", ".msg", ".txt", "")
_TOP_KEYS = ("kind", "error")


class Status(StrEnum):
    """What became of one fixture."""

    PASSED = "passed"
    """The message gave what its ``.json`` expects."""
    FAILED = "failed"
    """The output differs from the expectation (exit status 1)."""
    ERROR = "error"
    """The fixture could not be checked: unreadable message, malformed ``.json`` (exit status 2)."""
    UPDATED = "updated"
    """``update`` rewrote (or created) the ``.json``."""


@dataclass(slots=True)
class Outcome:
    """The result of checking (or updating) one fixture."""

    path: str
    status: Status = Status.PASSED
    differences: list[str] = field(default_factory=list)
    """What differs (``FAILED``), the cause (``ERROR``) or the unified diff written (``UPDATED``)."""

    @property
    def ok(self) -> bool:
        """True when nothing differs and nothing went wrong."""
        return self.status in (Status.PASSED, Status.UPDATED)


def twin(message: str) -> str:
    """The expected-records file of a message: same stem, ``.json``."""
    return os.path.splitext(message)[0] + ".json"


def _is_message(name: str) -> bool:
    ext = os.path.splitext(name)[1]
    return ext != ".json" and ext in MESSAGE_SUFFIXES and not name.startswith(".")


def messages(root: str) -> Iterator[str]:
    """Every message file at or below ``root`` (a directory or one file), sorted."""
    if os.path.isfile(root):
        if _is_message(os.path.basename(root)):
            yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if _is_message(name):
                yield os.path.join(folder, name)


def fixtures(root: str) -> Iterator[tuple[str, str]]:
    """``(message path, expected json path)`` for every message at or below ``root`` with a json twin."""
    for msg in messages(root):
        js = twin(msg)
        if os.path.exists(js):
            yield msg, js


def actual(
    path: str,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
) -> dict[str, Any]:
    """What dsnparse gives for a message now, in the fixture layout (raises :class:`OSError`)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        report = parse(raw, table=table, original_headers=original_headers, limits=limits)
    except DsnparseError as exc:
        return {"error": type(exc).__name__}
    records = []
    for r in report.records:
        d = r.to_dict()
        d.pop("source", None)
        records.append(d)
    return {"kind": str(report.kind), "records": records}


def _key(record: dict[str, Any]) -> str | None:
    rcpt = record.get("recipient")
    return rcpt.lower() if isinstance(rcpt, str) and rcpt else None


def pairs(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[tuple[int | None, int | None]]:
    """Expected records matched with actual ones, as index pairs (``None``: no partner): by
    recipient first, then in order among the records left over."""
    by_rcpt: dict[str, list[int]] = {}
    for j, h in enumerate(got):
        key = _key(h)
        if key is not None:
            by_rcpt.setdefault(key, []).append(j)
    out: list[tuple[int | None, int | None]] = []
    used: set[int] = set()
    unmatched: list[int] = []
    for i, e in enumerate(expected):
        candidates = by_rcpt.get(_key(e) or "", [])
        if candidates:
            j = candidates.pop(0)
            used.add(j)
            out.append((i, j))
        else:
            unmatched.append(i)
    rest = [j for j in range(len(got)) if j not in used]
    for i, j in zip(unmatched, rest, strict=False):
        out.append((i, j))
    out += [(i, None) for i in unmatched[len(rest) :]]
    out += [(None, j) for j in rest[len(unmatched) :]]
    return out


def _label(i: int, record: dict[str, Any]) -> str:
    rcpt = record.get("recipient")
    return f"record {i} ({rcpt})" if rcpt else f"record {i}"


def compare(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Differences between an expected fixture and the actual output (keys of expected only)."""
    diffs: list[str] = []
    for key in _TOP_KEYS:
        if key in expected and expected[key] != got.get(key):
            diffs.append(f"{key}: expected {expected[key]!r}, got {got.get(key)!r}")
    if "records" in expected:
        exp, have = expected["records"], got.get("records", [])
        if len(exp) != len(have):
            diffs.append(f"records: expected {len(exp)}, got {len(have)}")
        for i, j in pairs(exp, have):
            if i is None or j is None:
                continue
            for k, v in exp[i].items():
                if have[j].get(k) != v:
                    diffs.append(f"{_label(i, exp[i])} {k}: expected {v!r}, got {have[j].get(k)!r}")
    return diffs


def updated(expected: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """``expected`` brought up to date with ``got``, pinning the same keys: a record kept keeps
    its keys, a new record pins the keys the others pin (all fields when none pins any). When
    nothing pinned is left (an ``error`` pin for a message that now parses) all of ``got``."""
    out: dict[str, Any] = {}
    for key, value in expected.items():
        if key in _TOP_KEYS:
            if key in got:
                out[key] = got[key]
        elif key == "records" and "records" in got:
            exp, have = value, got["records"]
            pinned = list(dict.fromkeys(k for e in exp for k in e)) or None
            matched = {j: i for i, j in pairs(exp, have) if i is not None and j is not None}
            out[key] = [
                {k: h.get(k) for k in (list(exp[matched[j]]) if j in matched else pinned or list(h))}
                for j, h in enumerate(have)
            ]
        elif key != "records":
            out[key] = value
    return out if out else got


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def check_one(
    msg: str,
    *,
    update: bool = False,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
) -> Outcome:
    """Check (or with ``update``, bring up to date) one message against its ``.json`` twin."""
    js = twin(msg)
    outcome = Outcome(msg)
    try:
        got = actual(msg, table, original_headers, limits)
    except OSError as exc:
        return Outcome(msg, Status.ERROR, [f"cannot read the message: {exc.strerror or exc}"])
    try:
        with open(js, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        text = None
    except OSError as exc:
        return Outcome(msg, Status.ERROR, [f"{js}: cannot read: {exc.strerror or exc}"])
    try:
        expected = json.loads(text) if text is not None else None
    except ValueError as exc:
        return Outcome(msg, Status.ERROR, [f"{js}: not valid JSON: {exc}"])
    if expected is not None and not isinstance(expected, dict):
        return Outcome(msg, Status.ERROR, [f"{js}: expected a JSON object, found {type(expected).__name__}"])
    if not update:
        if expected is None:
            return Outcome(msg, Status.ERROR, [f"{js} is missing (run with --update)"])
        outcome.differences = compare(expected, got)
        outcome.status = Status.FAILED if outcome.differences else Status.PASSED
        return outcome
    fresh = updated(expected, got) if expected is not None else got
    if expected is not None and fresh == expected:
        return outcome
    new_text = _dump(fresh)
    outcome.differences = list(
        difflib.unified_diff((text or "").splitlines(), new_text.splitlines(), js if text else "/dev/null", js,
                             lineterm="")
    )
    with open(js, "w", encoding="utf-8") as fh:
        fh.write(new_text)
    outcome.status = Status.UPDATED
    return outcome


def check(
    root: str,
    *,
    update: bool = False,
    table: CodeTable | None = None,
    original_headers: Sequence[str] = (),
    limits: Limits | None = None,
) -> list[Outcome]:
    """Check every fixture at or below ``root``; with ``update``, bring every message's ``.json``
    up to date (creating the missing ones). An empty list means nothing was checked."""
    chosen = messages(root) if update else (msg for msg, _ in fixtures(root))
    return [
        check_one(msg, update=update, table=table, original_headers=original_headers, limits=limits) for msg in chosen
    ]
