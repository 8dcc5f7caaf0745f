"""The packaged phrase tables (``data/phrases.toml``), loaded once and compiled to safe matchers."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def any_of(phrases: list[str]) -> re.Pattern[str]:
    """One case-insensitive alternation of escaped literal phrases (linear-time: no quantifiers)."""
    ordered = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered) or r"(?!)", re.I)


@dataclass(frozen=True, slots=True)
class PhraseTables:
    """Compiled phrase tables."""

    bounce_subject: re.Pattern[str]
    bounce_sender: re.Pattern[str]
    failure: re.Pattern[str]
    original_marker: re.Pattern[str]
    delay: re.Pattern[str]
    forward_prefixes: tuple[str, ...]


def load_toml(name: str) -> dict[str, object]:
    """A TOML data file packaged under ``dsnparse/data``."""
    return tomllib.loads(resources.files("dsnparse").joinpath("data", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def tables() -> PhraseTables:
    """The default phrase tables (loaded and compiled once; immutable)."""
    data = load_toml("phrases.toml")

    def get(key: str) -> list[str]:
        value = data.get(key, [])
        return [str(v) for v in value] if isinstance(value, list) else []

    return PhraseTables(
        bounce_subject=any_of(get("bounce_subjects")),
        bounce_sender=any_of(get("bounce_senders")),
        failure=any_of(get("failure_phrases")),
        original_marker=any_of(get("original_markers")),
        delay=any_of(get("delay_phrases")),
        forward_prefixes=tuple(p.lower() for p in get("forward_prefixes")),
    )


def cut_original(text: str) -> str:
    """Text before the first line that announces a quoted original message."""
    m = tables().original_marker.search(text)
    if not m:
        return text
    return text[: text.rfind("\n", 0, m.start()) + 1]
