"""Each decoder's own wording, as data: the phrases that identify a format
(``data/decoder_markers.toml``) and the sentences or vendor codes that state a reason outright
(``data/decoder_reasons.toml``), one section per decoder NAME in each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...message import Mail
from ...phrases import LabelledPhrases, any_of
from ...rows import load_rows
from .views import head, machine_report, text


def daemon_marked(mail: Mail, name: str, size: int) -> bool:
    """The usual vendor ``matches``: a :func:`.views.machine_report` whose first ``size`` characters
    of text hold one of format ``name``'s markers (:func:`marked`)."""
    return machine_report(mail) and head_marked(mail, name, size)


@dataclass(frozen=True, slots=True)
class ReasonTable:
    """A decoder's own phrases (or vendor codes) that state the reason outright."""

    ordered: tuple[tuple[str, re.Pattern[str]], ...]
    pattern: re.Pattern[str]
    reasons: dict[str, str]

    def first(self, text: str | None) -> str | None:
        """The first reason, in table order, that has a phrase in ``text``, else None."""
        if not text:
            return None
        for found, matcher in self.ordered:
            if matcher.search(text):
                return found
        return None

    def find(self, text: str | None) -> str | None:
        """The reason of the phrase found first in ``text`` (its white space unfolded), else None."""
        if not text:
            return None
        m = self.pattern.search(" ".join(text.split()))
        return self.reasons.get(m.group(0).lower()) if m else None

    def get(self, code: str | None) -> str | None:
        """The reason of a whole vendor code (``bad-mailbox``), else None."""
        return self.reasons.get(code.strip().lower()) if code else None


@dataclass(frozen=True, slots=True)
class ReasonRow:
    """One row of a decoder's section of ``data/decoder_reasons.toml``."""

    reason: str
    phrases: tuple[str, ...]
    """Literal phrases (or whole vendor codes) that state the reason outright."""
    example: str
    """The decoder's own wording the row was written for (run by the tests)."""


@dataclass(frozen=True, slots=True)
class MarkerRow:
    """One format's marker phrases in ``data/decoder_markers.toml``."""

    name: str
    phrases: tuple[str, ...]


def reason_rows(name: str) -> tuple[ReasonRow, ...]:
    """Decoder ``name``'s rows of ``data/decoder_reasons.toml``, in file order."""
    return load_rows("decoder_reasons.toml", name, ReasonRow)


@lru_cache(maxsize=64)
def reason_table(name: str) -> ReasonTable:
    """Decoder ``name``'s section of ``data/decoder_reasons.toml``, compiled once."""
    rows = reason_rows(name)
    by_phrase: dict[str, str] = {}
    for row in rows:
        for phrase in row.phrases:
            by_phrase.setdefault(phrase.lower(), row.reason)
    ordered = tuple((row.reason, any_of(row.phrases)) for row in rows)
    return ReasonTable(ordered, any_of(list(by_phrase)), by_phrase)


@lru_cache(maxsize=1)
def _marker_table() -> dict[str, tuple[str, ...]]:
    """``data/decoder_markers.toml``: each format's marker phrases (read once)."""
    return {row.name: row.phrases for row in load_rows("decoder_markers.toml", None, MarkerRow)}


@lru_cache(maxsize=1)
def _markers() -> dict[str, re.Pattern[str]]:
    return {name: any_of(phrases) for name, phrases in _marker_table().items()}


def marked(name: str, sample: str) -> bool:
    """True when ``sample`` holds one of the phrases that identify format ``name``
    (``data/decoder_markers.toml``)."""
    matcher = _markers().get(name)
    return bool(matcher and matcher.search(sample))


MARKER_WINDOW = 2000
"""How many characters of the report :func:`text` one scan for all formats' markers covers."""


@lru_cache(maxsize=1)
def _marker_phrases() -> LabelledPhrases:
    return LabelledPhrases(_marker_table().items())


@lru_cache(maxsize=1)
def _longest_marker() -> int:
    return max((len(p) for phrases in _marker_table().values() for p in phrases), default=0)


def _marker_ends(mail: Mail) -> dict[str, int] | None:
    return _marker_phrases().ends(text(mail)[:MARKER_WINDOW])


def head_marked(mail: Mail, name: str, size: int) -> bool:
    """``marked(name, head(mail, size))``, answered from one scan per message of the first
    :data:`MARKER_WINDOW` characters for every format's markers (searched as ``marked`` does
    when that scan cannot answer exactly). Beyond the window only the text that the scan did not
    cover (less the longest marker) is searched."""
    ends = mail.memo(_marker_ends)
    if ends is None:
        return marked(name, head(mail, size))
    if ends.get(name, size + 1) <= size:
        return True
    if size <= MARKER_WINDOW:
        return False  # the scan saw all of head(mail, size)
    sample = text(mail)
    if len(sample) <= MARKER_WINDOW:
        return False  # the same
    # an occurrence the scan missed ends past the window, so it starts after this
    return marked(name, sample[max(MARKER_WINDOW - _longest_marker(), 0) : size])
