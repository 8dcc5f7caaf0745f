"""Limits that bound the work done on one message, as a value passed to :func:`dsnparse.parse`.

Like the stdlib ``email`` policies, behaviour is selected by an object rather than by flags
threaded through every call: ``parse(raw, limits=Limits(max_recipients=100))``.
Hitting a limit never raises: the report (and its records) carry a ``limit:<name>`` flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds on one message. The defaults suit bounce mailboxes; all are in bytes or counts."""

    max_message_bytes: int = 2_000_000
    """Only this many leading bytes of a message are parsed; bounce reports sit at the start and a
    huge returned attachment at the end is cut (flag ``limit:message_bytes``)."""
    max_parts: int = 500
    """MIME parts walked per message (flag ``limit:parts``)."""
    max_depth: int = 20
    """MIME nesting depth walked (flag ``limit:depth``)."""
    max_recipients: int = 1000
    """Records produced per report (flag ``limit:recipients``)."""
    max_header_bytes: int = 64_000
    """Longest header value kept; longer values are cut (flag ``limit:header_bytes``)."""
    max_text_bytes: int = 256_000
    """Longest text part decoded and scanned by the heuristics (flag ``limit:text_bytes``)."""

    def updated(self, settings: Iterable[str]) -> Limits:
        """A copy with ``NAME=N`` settings applied (``max_recipients=100``, or ``recipients=100``:
        the ``max_`` prefix may be left out; ``_`` separators in N are allowed). Raises
        :class:`ValueError` for an unknown name or a value that is not a positive integer."""
        names = {f.name for f in fields(self)}
        changes: dict[str, int] = {}
        for setting in settings:
            name, sep, value = setting.partition("=")
            name = name.strip().replace("-", "_")
            name = name if name in names else f"max_{name}"
            if not sep or name not in names:
                raise ValueError(f"{setting!r}: expected NAME=N with NAME one of {', '.join(sorted(names))}")
            try:
                number = int(value.strip())
            except ValueError:
                number = 0
            if number < 1:
                raise ValueError(f"{setting!r}: the value must be a positive integer")
            changes[name] = number
        return replace(self, **changes)


DEFAULT_LIMITS = Limits()
"""The limits used when none are given."""


class LimitHit(StrEnum):
    """The defect (and record flag) noted when a limit of :class:`Limits` is hit: ``limit:<name>``."""

    MESSAGE_BYTES = "limit:message_bytes"
    """The message was cut at ``max_message_bytes``."""
    PARTS = "limit:parts"
    """MIME parts past ``max_parts`` were not walked."""
    DEPTH = "limit:depth"
    """MIME parts nested deeper than ``max_depth`` were not walked."""
    RECIPIENTS = "limit:recipients"
    """Records past ``max_recipients`` were dropped."""
    HEADER_BYTES = "limit:header_bytes"
    """A header value was cut at ``max_header_bytes``."""
    TEXT_BYTES = "limit:text_bytes"
    """A text part was cut at ``max_text_bytes``."""


def flag(defects: list[str], hit: LimitHit) -> None:
    """Note in ``defects`` that a limit was hit, once: the one writer of ``limit:`` defects."""
    if hit.value not in defects:
        defects.append(hit.value)


def is_limit_hit(defect: str) -> bool:
    """True for a defect that says a limit was hit (a :class:`LimitHit` value)."""
    return defect in _HITS


_HITS = frozenset(h.value for h in LimitHit)
