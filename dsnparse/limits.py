"""Limits that bound the work done on one message, as a value passed to :func:`dsnparse.parse`.

Like the stdlib ``email`` policies, behaviour is selected by an object rather than by flags
threaded through every call: ``parse(raw, limits=Limits(max_recipients=100))``.
Hitting a limit never raises: the report (and its records) carry a ``limit:<name>`` flag.
"""

from __future__ import annotations

from dataclasses import dataclass


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


DEFAULT_LIMITS = Limits()
"""The limits used when none are given."""
