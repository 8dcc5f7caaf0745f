"""Facts: the plain per-recipient values that readers and decoders extract, before classification."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

# Enhanced status code: class 2/4/5, subject and detail of 1-3 digits, not part of a longer number
# or a dotted quad (IP address, version string). The class digit comes before the lookbehind on
# the character ahead of it (the same test: the lookbehind's second character is that digit), so
# a search skips to the next 2, 4 or 5 instead of trying a match at every position.
STATUS_CODE = re.compile(r"([245])(?<![\d.][245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
# SMTP reply code at the start of a reply line (``550 ``, ``550-``, ``550 5.1.1``); the first digit
# leads, as in STATUS_CODE.
REPLY_CODE = re.compile(r"([2-5](?<![\d.-][2-5])[0-5]\d)(?:[ -]|$)")


@dataclass(slots=True)
class Facts:
    """What is known about one recipient in one report; all fields optional."""

    recipient: str | None = None
    original_recipient: str | None = None
    action: str | None = None
    status: str | None = None
    reply_code: str | None = None
    diagnostic: str | None = None
    diagnostic_type: str | None = None
    remote_mta: str | None = None
    reporting_mta: str | None = None
    smtp_command: str | None = None
    date: str | None = None
    reason: str | None = None
    """A decoder's own verdict (from a vendor code or phrase it knows), trusted by classify."""
    recipient_source: str | None = None
    feedback_type: str | None = None
    source_ip: str | None = None
    gave_up: bool = False
    """True when the report says the message was given up after retrying (the queue lifetime ran
    out: ``data/finality.toml``), so the failure is final whatever the Action field says."""
    comment: str | None = None
    """The reporting MTA's own words on this failure beside the diagnostic (the comment of a DSN
    ``Status`` field, the short human-readable note of a one-recipient report): evidence for
    classification, not a record field."""

    def fill(self, other: Facts) -> None:
        """Take ``other``'s values for the fields this one lacks."""
        for name in _FACT_FIELDS:
            if getattr(self, name) in (None, "") and getattr(other, name) not in (None, ""):
                setattr(self, name, getattr(other, name))


_FACT_FIELDS = tuple(f.name for f in fields(Facts))


def given_up(facts: Facts) -> bool:
    """True when the message was given up after retrying: the report says so (:attr:`Facts.gave_up`),
    or a final failure carries a transient (class 4) status or reply code (Courier writes 5.0.0
    over the remote's 421) - an MTA turns a 4xx reply into a
    failure only when its queue lifetime runs out (RFC 3463: class 4 is a persistent transient
    failure)."""
    if facts.gave_up:
        return True
    return facts.action == "failed" and "4" in ((facts.status or "")[:1], (facts.reply_code or "")[:1])


def by_recipient(facts: Iterable[Facts]) -> list[Facts]:
    """Facts merged per recipient (compared lower-cased): the first fact of a recipient stays,
    later ones fill what it lacks (:meth:`Facts.fill`). A missing recipient counts as ``""``."""
    out: dict[str, Facts] = {}
    for f in facts:
        key = (f.recipient or "").lower()
        if key in out:
            out[key].fill(f)
        else:
            out[key] = f
    return list(out.values())


def find_status(text: str | None) -> str | None:
    """The most specific valid enhanced status code in a text (a non-zero detail wins over
    ``X.0.0``), else None."""
    if not text:
        return None
    best: str | None = None
    for m in STATUS_CODE.finditer(text):
        code = f"{m.group(1)}.{int(m.group(2))}.{int(m.group(3))}"
        if best is None or (is_generic(best) and not is_generic(code)):
            best = code
    return best


def is_generic(status: str | None) -> bool:
    """True for codes that say nothing specific: ``X.0.0`` (and missing ones)."""
    return not status or status.endswith(".0.0")


_AUTH_REPLIES = frozenset({"432", "530", "534", "535", "538"})
"""The x3z replies of SMTP AUTH (RFC 4954 section 6): the only registered codes whose second digit
is 3; other x3z/x4z numbers in a text are not replies."""


def find_reply_code(text: str | None) -> str | None:
    """The first SMTP reply code of a failure or success reply in a text, else None."""
    if not text:
        return None
    for m in REPLY_CODE.finditer(text):
        code = m.group(1)
        if (code[0] in "245" and code[1] in "0125") or code in _AUTH_REPLIES:
            return code
    return None

