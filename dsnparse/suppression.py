"""The suppression decision: one address's failures and complaints in, a :class:`Suppression`
(with its evidence) or nothing out. Pure: the store only queries the events and hands them here.

A hard failure whose record says ``suppress`` suppresses at once, a complaint suppresses at once,
and soft failures suppress once ``Policy.soft_count`` of them fall within ``Policy.soft_days`` days.
A failure on the ``sender`` or ``content`` side (a blocklist, the sender's reputation or
authentication, spam content...) never counts: it says nothing about the address. :func:`skipped`
summarises the ones left out, for the export to say so.

An address is the one the sender has on its list: the DSN's ``Original-Recipient`` when the
report names one (the address before alias expansion or forwarding), the final recipient
otherwise; an entry shows both. Addresses on ``Policy.allow`` are never suppressed, and the events
up to a removal by hand (``cleared_at``) no longer count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .classify.sides import NEVER_SUPPRESSED
from .record import Kind, record_time


class Event(NamedTuple):
    """One failure or complaint of an address, as the suppression decision needs it."""

    recipient: str
    """The address on the sender's list, lower-cased: the original recipient, else the final one."""
    kind: str
    action: str | None
    bounce_type: str | None
    suppress: bool
    reason: str
    status: str | None
    source: str | None
    at: str
    """When it happened: the record's date, else when the message was received (ISO 8601)."""
    side: str = "unknown"
    """The record's side; ``sender`` and ``content`` failures never suppress."""
    final: str | None = None
    """The final recipient the report names (after alias expansion or forwarding)."""


EVENT_COLUMNS = (
    "lower(coalesce(nullif(original_recipient, ''), recipient, '')), kind, action, bounce_type, suppress, "
    "reason, status, source, coalesce(date, received) AS at, side, recipient_key"
)
"""The store's columns that make an :class:`Event`, in its field order."""

@dataclass(frozen=True, slots=True)
class Policy:
    """When an address goes on the suppression list."""

    soft_count: int = 3
    """Soft failures needed ..."""
    soft_days: float = 30.0
    """... within this many days."""
    allow: frozenset[str] = field(default_factory=frozenset)
    """Addresses (lower-cased) never suppressed, whatever their bounces say (the allow-list)."""

    def __post_init__(self) -> None:
        if self.soft_count < 1 or self.soft_days <= 0:
            raise ValueError("soft_count must be >= 1 and soft_days > 0")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppressed address with the evidence for it."""

    address: str
    """The address on the sender's list: the original recipient when the report names one."""
    recipient: str | None
    """The final recipient of the latest event (differs from ``address`` after forwarding)."""
    cause: str
    """``hard`` (a failure saying the address is dead), ``complaint`` or ``soft`` (repeated soft failures)."""
    since: str
    """When the policy was first met (the time of the deciding event)."""
    first_bounce: str
    last_bounce: str
    count: int
    """Failures and complaints recorded for the address."""
    last_reason: str
    last_status: str | None
    last_source: str | None

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        return {
            "address": self.address, "recipient": self.recipient, "cause": self.cause, "since": self.since,
            "first_bounce": self.first_bounce, "last_bounce": self.last_bounce, "count": self.count,
            "last_reason": self.last_reason, "last_status": self.last_status, "last_source": self.last_source,
        }


SUPPRESSION_FIELDS: tuple[str, ...] = (
    "address", "recipient", "cause", "since", "first_bounce", "last_bounce", "count", "last_reason", "last_status",
    "last_source",
)
"""Column order of the suppression export."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An address whose sender- or content-side failures were left out of the decision."""

    address: str
    count: int
    """Failures left out."""
    last_side: str
    last_reason: str
    last_at: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        return {"address": self.address, "count": self.count, "last_side": self.last_side,
                "last_reason": self.last_reason, "last_at": self.last_at}


SKIPPED_FIELDS: tuple[str, ...] = ("address", "count", "last_side", "last_reason", "last_at")
"""Column order of the skipped listing."""


def skipped(events: Sequence[Event]) -> Skipped | None:
    """The sender- and content-side failures among one address's events (sorted by time), which
    :func:`decide` leaves out, or ``None`` when there are none."""
    left_out = [e for e in events if e.side in NEVER_SUPPRESSED and e.kind != Kind.COMPLAINT]
    if not left_out:
        return None
    last = left_out[-1]
    return Skipped(address=str(last.recipient), count=len(left_out), last_side=last.side,
                   last_reason=str(last.reason), last_at=str(last.at))


def decide(events: Sequence[Event], policy: Policy, *, cleared_at: str | None = None) -> Suppression | None:
    """One address's failures and complaints (sorted by time) to a suppression, or ``None``.
    Sender- and content-side failures are not the address's fault and are left out.

    ``cleared_at``: when a suppression of the address was removed by hand; only later events count.
    """
    if events and events[0].recipient in policy.allow:
        return None
    events = [e for e in events if (e.side not in NEVER_SUPPRESSED or e.kind == Kind.COMPLAINT)
              and (cleared_at is None or e.at > cleared_at)]
    if not events:
        return None
    since: str | None = None
    cause = ""
    window = timedelta(days=policy.soft_days)
    soft: list[datetime] = []
    for event in events:
        if event.kind == Kind.COMPLAINT:
            since, cause = event.at, "complaint"
        elif event.bounce_type == "hard" and event.suppress:
            since, cause = event.at, "hard"
        elif event.bounce_type == "soft":
            moment = record_time(event.at)
            if moment is not None:
                soft = [t for t in soft if moment - t <= window] + [moment]
                if len(soft) >= policy.soft_count:
                    since, cause = event.at, "soft"
        if since is not None:
            break
    if since is None:
        return None
    first, last = events[0], events[-1]
    return Suppression(
        address=str(first.recipient), recipient=last.final, cause=cause, since=str(since), first_bounce=str(first.at),
        last_bounce=str(last.at), count=len(events), last_reason=str(last.reason), last_status=last.status,
        last_source=last.source,
    )


