"""Facts to records: action and kind, reason, bounce code through the code table, suppression.

``bounce_code`` is the status found in the message; when there is none, the standard code of the
decided reason (:mod:`.inferred`, flagged ``status:inferred``; ``status`` stays null), except
``9.1.1`` when there is nothing to go on (reason ``undefined`` and no reply code). When the reason
is ``expired``, ``last_reason`` is the last reply's own reason; a reason taken from the last reply
of a message given up after retrying is flagged ``gave-up`` (:mod:`.expiry`). ``reason`` is
Sisimai's; ``own_reason`` is dsnparse's own reading where a provider rule documents another
(``data/providers.toml``), else ``None``; the side and the suppression follow the own reading.
``bounce_type`` is the code table's verdict on ``bounce_code`` and is set for failures only.
``suppress`` is true only when a permanent (class 5) failure says the address itself is dead:
``userunknown``, ``hasmoved``, ``suppressed``; ``hostunknown`` / ``notaccept`` when the text says
the domain is gone (NXDOMAIN, null MX); ``suspend`` when the code table marks its code (5.2.1)
hard. The rule of each reason is its ``suppress`` entry in ``data/reasons.toml``. A failure on the
``sender`` or ``content`` side (``data/sides.toml``, or the ``data/blocks.toml`` row that matched)
never suppresses: the address is fine, the mail was refused for who sent it or what it said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from ..facts import Facts, given_up
from ..record import BounceRecord, Kind, assemble
from . import expiry, inferred, providers
from .blocks import attribute
from .codes import NO_CODE, CodeTable
from .reasons import Decision, decide, evidence, explain, tables
from .sides import NEVER_SUPPRESSED

__all__ = ["CodeTable", "Context", "Decision", "explain", "record_kind", "suppress", "to_record"]

_NON_FAILURE_REASON = {Kind.DELIVERED: "delivered", Kind.AUTOREPLY: "vacation", Kind.COMPLAINT: "feedback",
                       Kind.RECEIPT: "delivered"}


@dataclass(frozen=True, slots=True)
class Context:
    """Per-message values every record of the message shares."""

    source: str | None = None
    kind: Kind | None = None
    """The kind of the whole message (its report's)."""
    sender: str | None = None
    message_id: str | None = None
    subject: str | None = None
    list_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    decoder: str | None = None
    flags: tuple[str, ...] = ()

    def record_fields(self) -> dict[str, Any]:
        """The record fields this context fills, by name (``headers`` copied)."""
        out = dict(zip(CONTEXT_FIELDS, _context_values(self), strict=True))
        out["headers"] = dict(self.headers)
        return out


FROM_FACTS: tuple[str, ...] = (
    "recipient", "original_recipient", "status", "reply_code", "diagnostic", "diagnostic_type",
    "remote_mta", "reporting_mta", "smtp_command", "date", "recipient_source", "feedback_type", "source_ip",
)
"""The record fields copied unchanged from a recipient's :class:`Facts`."""
CONTEXT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Context) if f.name != "flags")
"""The record fields every record of a message shares, from its :class:`Context` (its ``flags``
start each record's own, which are computed)."""
_facts_values = attrgetter(*FROM_FACTS)
_context_values = attrgetter(*CONTEXT_FIELDS)
COMPUTED: tuple[str, ...] = (
    "action", "reason", "own_reason", "last_reason", "bounce_code", "bounce_type", "description", "suppress",
    "flags", "side", "provider", "blocked_by", "sender_identity", "help_url",
)
"""The record fields :func:`to_record` decides."""


def record_kind(action: str | None, message_kind: Kind) -> Kind:
    """The kind of one record: its DSN action decides, else the message's kind."""
    if action == "failed":
        return Kind.FAILURE
    if action == "delayed":
        return Kind.DELAY
    if action in ("delivered", "relayed", "expanded"):
        return Kind.DELIVERED
    return message_kind


def suppress(reason: str, bounce_code: str | None, diagnostic: str, table: CodeTable) -> bool:
    """True only when a failure says the address itself is dead (see the module docstring)."""
    row = tables().reasons.get(reason)
    if row is None or not bounce_code or bounce_code[0] != "5":
        return False
    if row.suppress == "always":
        return True
    if row.suppress == "evidence":
        if row.suppress_unless is not None and row.suppress_unless.search(diagnostic):
            return False
        return row.suppress_when is not None and bool(row.suppress_when.search(diagnostic))
    if row.suppress == "table" and row.code:
        own = table.lookup(f"5{row.code[1:]}")
        return own is not None and own.bounce_type == "hard"
    return False


def to_record(facts: Facts, kind: Kind, ctx: Context, table: CodeTable) -> BounceRecord:
    """One record from one recipient's facts, in a message of the given kind."""
    rkind = record_kind(facts.action, kind)
    action = facts.action
    if action is None and rkind is Kind.FAILURE:
        action = "failed"
    elif action is None and rkind is Kind.DELAY:
        action = "delayed"
    domain = facts.recipient.rsplit("@", 1)[1] if facts.recipient and "@" in facts.recipient else None
    last_reason = own_reason = bounce_code = bounce_type = description = None
    flags = ctx.flags
    bounce = rkind in (Kind.FAILURE, Kind.DELAY)
    found = providers.identify(facts, domain)  # once, for the reason and for the side
    if bounce:
        failed = rkind is Kind.FAILURE
        decision = decide(facts, found)
        split = expiry.split(facts, decision.reason, failed and given_up(facts))
        if split.reason == decision.reason and decision.own_reason not in (None, split.reason):
            own_reason = decision.own_reason
        # the side and the suppression follow dsnparse's own reading; `reason` stays Sisimai's
        who = attribute(facts, own_reason or split.reason, found, bounce=True)
        reason = split.reason if own_reason else who.reason
        last_reason = split.last_reason
        if failed and split.from_reply:
            flags = (*flags, expiry.FLAG)
        bounce_code = facts.status if facts.status and facts.status[0] in "45" else None
        if not facts.status and not (reason == "undefined" and not facts.reply_code):
            # no code in the message: the standard code of the reason, flagged; ``status`` stays
            # what the message says (null), the code table's "no code found" row stays for a
            # record with nothing to go on
            bounce_code = inferred.infer(reason, facts, delay=not failed, retried=failed and split.from_reply)
            if bounce_code:
                flags = (*flags, inferred.FLAG)
        bounce_code = bounce_code or NO_CODE
        row = table.lookup(bounce_code)
        if row is not None:
            description = row.description
            if failed:
                bounce_type = row.bounce_type
    else:
        default = _NON_FAILURE_REASON.get(rkind, "undefined")
        reason = facts.reason if facts.reason in tables().reasons else default
        if rkind is Kind.DELIVERED and facts.status:
            bounce_code = facts.status
        who = attribute(facts, reason, found, bounce=False)
    dead = (rkind is Kind.FAILURE and who.side not in NEVER_SUPPRESSED
            and suppress(own_reason or reason, bounce_code, evidence(facts), table))
    values = ctx.record_fields()
    values.update(zip(FROM_FACTS, _facts_values(facts), strict=True))
    values.update(
        action=action,
        reason=reason,
        own_reason=own_reason,
        last_reason=last_reason,
        bounce_code=bounce_code,
        bounce_type=bounce_type,
        description=description,
        suppress=dead,
        flags=flags,
        side=who.side,
        provider=who.provider,
        blocked_by=who.blocked_by,
        sender_identity=who.sender_identity,
        help_url=who.help_url,
    )
    return assemble(values)
