"""The values the core hands out: :class:`BounceRecord`, :class:`Report` and :class:`Kind`.

Records are immutable; their JSON field names (``BounceRecord.to_dict``) are the public contract
shared by the CLI, the sinks and the store.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import repeat
from operator import call
from typing import Any


class Kind(StrEnum):
    """What a message is, as a whole."""

    FAILURE = "failure"
    """A delivery failed for at least one recipient."""
    DELAY = "delay"
    """A delivery is late but still being retried (``Action: delayed``)."""
    DELIVERED = "delivered"
    """A positive DSN: delivered, relayed or expanded."""
    AUTOREPLY = "autoreply"
    """An automatic reply: vacation, out-of-office, challenge-response (RFC 3834)."""
    COMPLAINT = "complaint"
    """A spam complaint / feedback report (ARF, RFC 5965)."""
    RECEIPT = "receipt"
    """A read receipt / message disposition notification (RFC 8098)."""
    NOT_BOUNCE = "not_bounce"
    """An ordinary message: nothing to act on."""


@dataclass(frozen=True, slots=True)
class BounceRecord:
    """One recipient's outcome in one report. Field names are the JSON contract."""

    source: str | None = None
    """Where the message came from (path, ``path#N`` for mbox messages, IMAP key)."""
    kind: Kind | None = None
    """What the whole message is (the report's :class:`Kind`: ``failure``, ``delay``...)."""
    recipient: str | None = None
    """The failed (or reported) recipient address; ``None`` when the report names none."""
    original_recipient: str | None = None
    """``Original-Recipient`` of the DSN, decoded from xtext."""
    action: str | None = None
    """failed, delayed, delivered, relayed or expanded."""
    status: str | None = None
    """The enhanced status code found in the message (``5.1.1``), else ``None``."""
    reply_code: str | None = None
    """The SMTP basic reply code (``550``), else ``None``."""
    diagnostic: str | None = None
    """The diagnostic text, unfolded and decoded."""
    diagnostic_type: str | None = None
    """The diagnostic type (``smtp``, ``x-postfix``...)."""
    remote_mta: str | None = None
    reporting_mta: str | None = None
    smtp_command: str | None = None
    """The SMTP command the failure answered (``RCPT``, ``DATA``...), when known."""
    date: str | None = None
    """When the failure happened (or the report was written), ISO 8601 in UTC."""
    sender: str | None = None
    """The original message's sender (envelope or ``From``)."""
    reason: str = "undefined"
    """The Sisimai-compatible reason name (``userunknown``, ``mailboxfull``...)."""
    own_reason: str | None = None
    """dsnparse's own reading where it differs from Sisimai's ``reason``; None when they agree."""
    last_reason: str | None = None
    """When ``reason`` is ``expired`` (the sending MTA gave up after retrying): the reason the last
    reply's own wording or code gives (``networkerror`` for "Connection timed out"), else
    ``None``. The reply itself is ``diagnostic``, its codes ``status`` and ``reply_code``."""
    bounce_code: str | None = None
    """The code looked up in the code table."""
    bounce_type: str | None = None
    """``hard`` or ``soft`` from the code table; ``None`` when the record is not a failure."""
    description: str | None = None
    """The code table's description of ``bounce_code``."""
    suppress: bool = False
    """True only when the failure says the address itself is dead (never for a failure on the
    ``sender`` or ``content`` side)."""
    side: str = "unknown"
    """Whose problem it is: ``recipient``, ``sender``, ``content``, ``system``, ``network`` or
    ``unknown`` (``data/sides.toml``; a catalogue row of ``data/blocks.toml`` decides first)."""
    provider: str | None = None
    """The receiving mailbox provider (``google``, ``microsoft``, ``yahoo``, ``apple``...: a name of
    ``data/providers.toml``) known from the remote MTA, the recipient domain or the reply, else ``None``."""
    blocked_by: str | None = None
    """The blocklist or provider policy that refused the mail: the id of its ``data/blocks.toml``
    row (``spamhaus-zen``, ``microsoft-s3150``, ``gmail-5.7.26``, ``yahoo-tss04``...), else ``None``."""
    sender_identity: str | None = None
    """The sending IP (v4 or v6) or domain the reply of a sender- or content-side failure quotes."""
    help_url: str | None = None
    """The provider's help or delisting page for ``blocked_by``, from the packaged catalogue only
    (never a URL taken from the message)."""
    message_id: str | None = None
    """Message-ID of the original message."""
    subject: str | None = None
    list_id: str | None = None
    decoder: str | None = None
    """Which decoder produced the record (``rfc3464``, ``postfix``, ``generic``...)."""
    recipient_source: str | None = None
    """Where the recipient came from: ``report``, ``text``, ``x-failed-recipients``, ``verp``,
    ``original-to`` (the To: of the returned message, a last resort) or ``None``."""
    feedback_type: str | None = None
    """ARF ``Feedback-Type`` of a complaint (``abuse``...)."""
    source_ip: str | None = None
    """ARF ``Source-IP`` of a complaint."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers of the original message the caller asked for (``original_headers=``)."""
    flags: tuple[str, ...] = ()
    """Anything the parser wants the reader to know: ``unparsed``, ``limit:<name>``, ``gave-up``
    (the reason is the last reply of a message the sending MTA gave up on after retrying),
    ``status:inferred`` (the message carried no status code; ``bounce_code`` is the standard code
    of the reason, see ``data/inferred_status.csv``)..."""

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict, with the contract's field names."""
        out = {name: getattr(self, name) for name in FIELDS}
        out["headers"] = dict(self.headers)
        out["flags"] = list(self.flags)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BounceRecord:
        """Build a record from :meth:`to_dict` output (unknown keys are ignored)."""
        kwargs = {k: v for k, v in data.items() if k in _NAMES}
        if "flags" in kwargs:
            kwargs["flags"] = tuple(kwargs["flags"] or ())
        if kwargs.get("kind") is not None:
            kwargs["kind"] = Kind(kwargs["kind"])
        if "headers" in kwargs:
            kwargs["headers"] = dict(kwargs["headers"] or {})
        return cls(**kwargs)


def record_time(text: str | None) -> datetime | None:
    """A record's ``date`` (ISO 8601; ``Z`` or an offset, naive meaning UTC) as an aware datetime,
    else ``None`` (no date, or not ISO 8601): the one reader of the dates the records carry."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(BounceRecord))
"""The record's field names in contract order (CSV column order)."""
_NAMES = frozenset(FIELDS)
_SLOT_SETTERS = tuple(getattr(BounceRecord, name).__set__ for name in FIELDS)
"""Each field's slot setter, in field order."""


def assemble(values: Mapping[str, Any]) -> BounceRecord:
    """``BounceRecord(**values)`` for a mapping of exactly the record's fields (``TypeError``
    otherwise), built without the keyword call: the generated frozen ``__init__`` sets each
    field through ``object.__setattr__`` from Python, this sets the slots from C, in about half
    the time. The classifier builds every record with it, one per recipient."""
    if len(values) != len(FIELDS) or not _NAMES.issuperset(values):
        raise TypeError(f"a record needs exactly its fields: {sorted(_NAMES.symmetric_difference(values))}")
    record: BounceRecord = object.__new__(BounceRecord)
    deque(map(call, _SLOT_SETTERS, repeat(record), map(values.__getitem__, FIELDS)), maxlen=0)
    return record


@dataclass(frozen=True, slots=True)
class Report:
    """Everything dsnparse learned from one message."""

    kind: Kind
    """What the message is as a whole."""
    records: tuple[BounceRecord, ...] = ()
    """One record per reported recipient (at least one for any bounce-like kind)."""
    original_headers: Mapping[str, str] = field(default_factory=dict)
    """Headers of the returned original message, when the report carries it."""
    defects: tuple[str, ...] = ()
    """What was wrong with the message (MIME defects, limits hit), as short texts."""
    source: str | None = None

    @property
    def is_bounce(self) -> bool:
        """True for failures and delays, the kinds a sender must act on."""
        return self.kind in (Kind.FAILURE, Kind.DELAY)
