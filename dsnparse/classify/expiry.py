"""Expiry and the last reply: which of the two a given-up message's reason is.

reasons.md (2.3, 3.1, ``expired``): Sisimai's ``expired`` comes from a decoder's queue-timeout
marker, a 4.4.7 / 4.4.1 status or the fallback for a delay, and it is in the re-check set: the
first-pass probes (mailboxfull, suspend, userunknown, blocked...) still decide over it when the
last reply names their reason, and the second pass's wordings (networkerror, systemerror...) when
the reply's words name theirs. So a message given up after days of "452 4.2.2 mailbox full" is
``mailboxfull``, one given up after "Connection refused" ``networkerror`` (both flagged
``gave-up``), and one given up after "Connection timed out" - what an expiry is made of
(``data/finality.toml`` ``[[no_answer]]``) - stays ``expired`` with the reply's reading
(``networkerror``) kept in ``last_reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import finality
from ..facts import Facts
from .reasons import evidence, from_status, tables

EXPIRED = "expired"
FLAG = "gave-up"
"""The record flag: the reason is the last reply of a message given up after retrying."""

# reasons.md 3.3, first-pass class order (Perl 5.7): the reasons whose probe runs before expired
# is ever considered, so their wording in the last reply decides over the queue timeout.
FIRST_PASS = frozenset({
    "mailboxfull", "emailtoolarge", "suspend", "hasmoved", "norelaying", "authfailure", "userunknown",
    "filtered", "requireptr", "notcompliantrfc", "badreputation", "contenterror", "rejected", "hostunknown",
    "spamdetected", "ratelimited", "blocked", "failedstarttls", "notaccept", "virusdetected", "policyviolation",
})


_UNDECIDED = frozenset({"onhold", "undefined"})


@dataclass(frozen=True, slots=True)
class Split:
    """The reason to report, the last reply's reason beside an ``expired`` one, and whether the
    reason was taken from the last reply of a given-up message."""

    reason: str
    last_reason: str | None = None
    from_reply: bool = False


def last_reply_reason(facts: Facts) -> tuple[str | None, bool]:
    """The reason the last reply names, and whether its wording named it: by its wording (first in
    table order, the expiry wording itself left out), else by its status code; None when it names
    none."""
    t = tables()
    found = t.phrases.labels(evidence(facts)) - {EXPIRED}
    if found:
        rank = {r.name: i for i, r in enumerate(t.ordered)}
        return min(found, key=lambda name: rank.get(name, len(rank))), True
    by_status = from_status(facts.status)
    return (by_status if by_status and by_status != EXPIRED else None), False


def split(facts: Facts, reason: str, gave_up: bool) -> Split:
    """``reason`` as decided, turned into the last reply's reason (see the module docstring)."""
    if reason != EXPIRED:
        return Split(reason, None, gave_up)
    reply, worded = last_reply_reason(facts)
    if reply is None:
        return Split(EXPIRED, None, False)
    if reply in FIRST_PASS or (worded and reply not in _UNDECIDED and not finality.no_answer().labels(evidence(facts))):
        return Split(reply, None, True)
    return Split(EXPIRED, reply, False)
