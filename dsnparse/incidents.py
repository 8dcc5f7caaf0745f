"""Incidents: sender- and content-side failures grouped by (receiving provider, cause, sending
identity), with when they started and ended, how many messages and recipients they hit, a
representative reply, the help or delisting URL and a one-line advice.

Pure and one pass: :func:`incidents` reads records in time order (the store hands them sorted:
``Store.timeline``; files are taken in the order read) and holds only the open incidents. An
open incident ends when mail to its provider is accepted again (a delivered, relayed or expanded
record for the provider, at or after its last failure) or when no failure of it comes for
``quiet``; at the end of the stream an incident whose last failure is within ``quiet`` of the
latest time seen (or ``now``) is ``ongoing``.

The receiving provider is the record's ``provider`` (``data/providers.toml``), else the
recipient's domain; the cause is the catalogue row (``blocked_by``), else the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .classify import providers
from .classify.blocks import Block, catalogue
from .classify.sides import NEVER_SUPPRESSED
from .record import BounceRecord, record_time

DEFAULT_QUIET = timedelta(hours=6)
"""How long without a failure ends an incident."""
ACCEPTED = ("delivered", "relayed", "expanded")
"""Actions that say the provider took the mail."""
INCIDENT_FIELDS: tuple[str, ...] = (
    "provider", "side", "cause", "identity", "first_seen", "last_seen", "ended", "end", "messages", "recipients",
    "reply", "help_url", "advice",
)
"""Column order of the incident export (CSV, table)."""


@dataclass(frozen=True, slots=True)
class Incident:
    """Failures of one sending identity at one provider, for one cause, between two times."""

    provider: str
    """The receiving provider key (``microsoft``), else the recipient's domain."""
    side: str
    """``sender`` or ``content``."""
    cause: str
    """The catalogue id (``microsoft-s3150``) when the reply is catalogued, else the reason."""
    identity: str | None
    """The sending IP or domain the replies quote, else ``None``."""
    first_seen: str
    last_seen: str
    ended: str | None
    """When it ended: the acceptance, or the last failure when the failures stopped; ``None`` while ongoing."""
    end: str
    """``accepted``, ``quiet`` or ``ongoing``."""
    messages: int
    """Distinct messages (sources) among the failures."""
    recipients: int
    """Distinct recipient addresses among the failures."""
    reply: str | None
    """The first failure's diagnostic."""
    help_url: str | None
    """From the packaged catalogue only."""
    advice: str

    def to_dict(self) -> dict[str, Any]:
        """The incident as a JSON-ready dict (keys in :data:`INCIDENT_FIELDS` order)."""
        return {name: getattr(self, name) for name in INCIDENT_FIELDS}


@dataclass(slots=True)
class _Open:
    """An incident being built."""

    key: tuple[str, str, str | None]
    side: str
    first: datetime
    last: datetime
    reply: str | None
    help_url: str | None
    sources: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _receiver(record: BounceRecord) -> str | None:
    if record.provider:
        return record.provider
    if record.recipient and "@" in record.recipient:
        return record.recipient.rsplit("@", 1)[1].lower()
    return None


def _row(cause: str) -> Block | None:
    for row in catalogue().rows:
        if row.id == cause:
            return row
    return None


def _advice(building: _Open, end: str, ended: datetime | None) -> str:
    provider, cause, identity = building.key
    row = _row(cause)
    count = f"{len(building.recipients):,} recipient{'s' if len(building.recipients) != 1 else ''}"
    what = f"mail from {identity}" if identity else "your mail"
    if building.side == "content":
        what = f"the content of {what}"
    head = f"{providers.label(provider)} {{verb}} {what} ({row.cause if row else cause})"
    if end == "ongoing":
        text = head.format(verb="refuses") + f" since {_minute(building.first)}, {count}"
        if building.help_url:
            text += f"; {'request delisting at' if row is not None and row.delist else 'see'} {building.help_url}"
        return text
    text = head.format(verb="refused") + f" from {_minute(building.first)} to {_minute(building.last)}, {count}"
    if end == "accepted" and ended is not None:
        return text + f"; mail accepted again at {_minute(ended)}"
    return text + "; the failures stopped"


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _close(building: _Open, end: str, ended: datetime | None) -> Incident:
    provider, cause, identity = building.key
    return Incident(
        provider=provider, side=building.side, cause=cause, identity=identity,
        first_seen=_iso(building.first), last_seen=_iso(building.last),
        ended=_iso(ended) if ended is not None else None, end=end,
        messages=len(building.sources), recipients=len(building.recipients), reply=building.reply,
        help_url=building.help_url, advice=_advice(building, end, ended),
    )


def incidents(records: Iterable[BounceRecord], *, quiet: timedelta = DEFAULT_QUIET,
              since: datetime | None = None, now: datetime | None = None) -> list[Incident]:
    """The incidents in a stream of records (in time order), sorted by first failure, then key.

    Records before ``since`` are ignored; ``now`` (default: the latest record time) decides
    which incidents are still ongoing. Records without a readable date are ignored."""
    if quiet <= timedelta(0):
        raise ValueError("quiet must be positive")
    # the open incidents by provider: an acceptance closes those of its provider without a scan of all
    open_: dict[str, dict[tuple[str, str, str | None], _Open]] = {}
    done: list[Incident] = []
    latest: datetime | None = None
    for record in records:
        moment = record_time(record.date)
        provider = _receiver(record)
        if moment is None or provider is None or (since is not None and moment < since):
            continue
        latest = moment if latest is None or moment > latest else latest
        if record.action in ACCEPTED:
            at_provider = open_.get(provider, {})
            for key in [k for k, b in at_provider.items() if b.last <= moment]:
                done.append(_close(at_provider.pop(key), "accepted", moment))
            continue
        if record.action not in ("failed", "delayed") or record.side not in NEVER_SUPPRESSED:
            continue
        key = (provider, record.blocked_by or record.reason, record.sender_identity)
        at_provider = open_.setdefault(provider, {})
        building = at_provider.get(key)
        if building is not None and moment - building.last > quiet:
            done.append(_close(at_provider.pop(key), "quiet", building.last))
            building = None
        if building is None:
            building = at_provider[key] = _Open(key=key, side=record.side, first=moment, last=moment,
                                                reply=record.diagnostic, help_url=record.help_url)
        building.first, building.last = min(building.first, moment), max(building.last, moment)
        building.sources.add(record.source or "")
        if record.recipient:
            building.recipients.add(record.recipient.lower())
    end_time = now or latest
    for building in (b for at_provider in open_.values() for b in at_provider.values()):
        if end_time is not None and end_time - building.last > quiet:
            done.append(_close(building, "quiet", building.last))
        else:
            done.append(_close(building, "ongoing", None))
    done.sort(key=lambda i: (i.first_seen, i.provider, i.cause, i.identity or ""))
    return done
