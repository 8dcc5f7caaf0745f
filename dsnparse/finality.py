"""Finality: what became of the message, in the report's own words (``data/finality.toml``).

A report that says the message was given up after retrying ("retry timeout exceeded",
"Envelope expired", "could not be delivered for 5 days") is a final failure whatever its
``Action`` field or code class says; one that says delivery is still being retried ("will keep
trying", "Delivery attempts will continue") is a delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .phrases import LabelledPhrases
from .rows import load_rows

GAVE_UP = "gave-up"
"""The message was given up after retrying (the queue lifetime ran out)."""
RETRYING = "retrying"
"""Delivery is still being retried."""

Verdict = Literal["gave-up", "retrying"]


@dataclass(frozen=True, slots=True)
class Wording:
    """One row of ``data/finality.toml``."""

    phrase: str
    source: str
    """The MTA template or document the wording comes from."""


@lru_cache(maxsize=1)
def table() -> LabelledPhrases:
    """The give-up and keep-trying wordings, give-up first (loaded once)."""
    def phrases(key: str) -> list[str]:
        return [row.phrase for row in load_rows("finality.toml", key, Wording)]

    return LabelledPhrases([(GAVE_UP, phrases("gave_up")), (RETRYING, phrases("retrying"))])


@lru_cache(maxsize=1)
def no_answer() -> LabelledPhrases:
    """The wordings of a last reply that says only that the remote did not answer in time."""
    return LabelledPhrases([("no-answer", [row.phrase for row in load_rows("finality.toml", "no_answer", Wording)])])


def verdict(*texts: str | None, notice: bool = False) -> Verdict | None:
    """What the texts say: ``gave-up``, ``retrying`` or None. In a recipient's own diagnostic
    give-up wins (OpenSMTPD writes "Envelope expired" on its delay template); in the notice
    around it (``notice``) keep-trying wins, since a delay template may say how long delivery
    has failed so far (Postfix: "could not be delivered for more than 4 hours. It will be
    retried until it is 5 days old")."""
    found: set[str] = set()
    for text in texts:
        if text:
            found |= table().labels(text)
    first, second = (RETRYING, GAVE_UP) if notice else (GAVE_UP, RETRYING)
    if first in found:
        return "gave-up" if first == GAVE_UP else "retrying"
    if second in found:
        return "gave-up" if second == GAVE_UP else "retrying"
    return None
