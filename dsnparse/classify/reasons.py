"""Reasons: the vocabulary (``data/reasons.toml``) and the decision from facts to one reason name.

Order of trust: a decoder's own verdict, provider rules (``providers``), phrases of the
diagnostic text, the enhanced status code (``data/status_reasons.csv``), then ``onhold`` for a
failure too thin to decide. Every table is data; the phrase matchers are literal alternations.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..facts import Facts, is_generic
from ..phrases import any_of, load_toml
from . import providers


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of the vocabulary."""

    name: str
    description: str
    code: str | None
    """Canonical bounce code for a failure with this reason and no status code."""
    suppress: bool
    """True when this reason says the address itself is dead."""
    kind: str
    """``failure`` or the non-failure kind the reason belongs to."""
    matcher: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class ReasonTables:
    """The loaded vocabulary and tables."""

    reasons: dict[str, Reason]
    ordered: tuple[Reason, ...]
    by_status: dict[str, str]


@lru_cache(maxsize=1)
def tables() -> ReasonTables:
    """The packaged reason tables (loaded once; immutable in use)."""
    data = load_toml("reasons.toml")
    entries = data.get("reason", [])
    ordered: list[Reason] = []
    for entry in entries if isinstance(entries, list) else []:
        phrases = [str(p) for p in entry.get("phrases", [])]
        ordered.append(
            Reason(
                name=str(entry["name"]),
                description=str(entry.get("description", "")),
                code=str(entry["code"]) if entry.get("code") else None,
                suppress=bool(entry.get("suppress", False)),
                kind=str(entry.get("kind", "failure")),
                matcher=any_of(phrases) if phrases else None,
            )
        )
    text = resources.files("dsnparse").joinpath("data/status_reasons.csv").read_text(encoding="utf-8")
    by_status = {row["status"]: row["reason"] for row in csv.DictReader(io.StringIO(text))}
    return ReasonTables({r.name: r for r in ordered}, tuple(ordered), by_status)


def vocabulary() -> dict[str, Reason]:
    """Every reason name with its description, canonical code and suppress flag."""
    return dict(tables().reasons)


def from_phrases(text: str) -> str | None:
    """The first reason (in table order) whose phrases occur in ``text``."""
    if not text:
        return None
    for reason in tables().ordered:
        if reason.matcher is not None and reason.matcher.search(text):
            return reason.name
    return None


def from_status(status: str | None) -> str | None:
    """The reason the status code alone implies, if it implies one."""
    if not status or is_generic(status):
        return None
    return tables().by_status.get(status)


def decide(facts: Facts, *, recipient_domain: str | None = None) -> str:
    """The reason of a failed (or delayed) recipient's facts."""
    if facts.reason:
        return facts.reason
    text = facts.diagnostic or ""
    rule = providers.match(facts, recipient_domain)
    if rule:
        return rule
    by_status = from_status(facts.status)
    by_text = from_phrases(text)
    if by_status and by_text and by_status != by_text:
        # a specific registry code normally wins; a phrase refines the vague families
        if by_status in ("securityerror", "systemerror", "networkerror", "syntaxerror", "contenterror"):
            return by_text
        return by_status
    if by_status or by_text:
        return by_status or by_text or "undefined"
    if facts.status and facts.status.startswith("4.4."):
        return "expired" if facts.action == "failed" else "networkerror"
    if facts.status or facts.reply_code or text:
        return "onhold"
    return "undefined"
