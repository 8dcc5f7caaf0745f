"""RFC 5965 Abuse Reporting Format (spam complaints / feedback loops) to facts."""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail, part_text
from ..phrases import lookalike_signals, tables
from .dsn import iso_date, parse_groups

FEEDBACK_TYPES = ("message/feedback-report",)
# Original-Rcpt-To may repeat, one recipient per field (RFC 5965 section 3.2)
_RCPT_TO = re.compile(r"(?im)^original-rcpt-to:[ \t]{0,20}([^\n]{1,1000})$")
# Microsoft's Junk Mail Reporting Program (the Outlook.com / Hotmail feedback loop) is no ARF: it
# returns the reported message as message/rfc822, the complained-about address in this header.
_JMRP_RECIPIENT = "x-hmxmroriginalrecipient"
_HEAD_CHARS = 3000
"""How far into the text a feedback report's wording is looked for."""


def _jmrp_recipients(mail: Mail) -> list[str]:
    original = mail.original
    if original is None:
        return []
    return [a for value in original.get_all(_JMRP_RECIPIENT, []) for a in addresses.find_all(str(value))]


def is_complaint(mail: Mail) -> bool:
    """True for a feedback report (by report-type or by its machine-readable part), or a
    Microsoft JMRP report (the returned message names the complained-about recipient)."""
    if mail.report_type == "feedback-report":
        return True
    if any(p.get_content_type() in FEEDBACK_TYPES for p in mail.parts):
        return True
    return bool(_jmrp_recipients(mail)) or _is_feedback_forward(mail)


def _is_feedback_forward(mail: Mail) -> bool:
    """A webmail feedback-loop report that is not ARF (``[[feedback]]`` in ``lookalikes.toml``):
    the reported message attached, a feedback wording in the subject or the first lines of the
    text, on a message that is not from a mail daemon, not a delivery-status report and has no
    non-delivery subject (a bounce saying "reported as spam" stays a bounce)."""
    if mail.original_part is None or mail.dsn_texts:
        return False
    shared = tables()
    if shared.bounce_sender.search(mail.sender.split("@", 1)[0]) or shared.bounce_subject.search(mail.subject):
        return False
    return lookalike_signals("feedback").found(mail.subject, mail.report_text[:_HEAD_CHARS])


def _report_fields(mail: Mail) -> tuple[dict[str, str], list[str]]:
    """The feedback report's fields (the first value of each name) and its ``Original-Rcpt-To``
    values, over every feedback-report part."""
    fields: dict[str, str] = {}
    listed: list[str] = []
    for p in mail.parts:
        if p.get_content_type() not in FEEDBACK_TYPES:
            continue
        text = part_text(p, mail.limits.max_text_bytes)
        listed.extend(v for m in _RCPT_TO.finditer(text) for v in m.group(1).split(","))
        for group in parse_groups(text):
            for k, v in group.items():
                fields.setdefault(k, v)
    return fields, listed


def _recipients(mail: Mail, listed: list[str]) -> tuple[list[str], str]:
    """The complained-about recipients and where they came from: ``Original-Rcpt-To``, else
    Microsoft's ``X-HmXmrOriginalRecipient`` (``report``), else the original message's To."""
    recipients = list(dict.fromkeys(a for a in (addresses.normalize(v) for v in listed) if a))
    recipients = recipients or _jmrp_recipients(mail)
    if recipients:
        return recipients, "report"
    return [a for a in addresses.find_all(mail.original_header("to")) if not addresses.is_system(a)], "original-to"


def _shared_facts(mail: Mail, fields: dict[str, str]) -> Facts:
    """What every recipient of the complaint shares: feedback type, source IP, reporter, date."""
    return Facts(
        action=None,
        feedback_type=(fields.get("feedback-type") or "").strip().lower() or "abuse",
        source_ip=(fields.get("source-ip") or "").strip() or None,
        reporting_mta=(fields.get("reporting-mta") or "").split(";")[-1].strip() or None,
        date=iso_date(fields.get("arrival-date") or fields.get("received-date") or mail.header("date")),
        diagnostic=" ".join(mail.report_text.split())[:1000] or None,
        reason="feedback",
    )


def read(mail: Mail) -> list[Facts]:
    """One fact per complained-about recipient (see :func:`_recipients`), carrying the feedback
    type and source IP."""
    fields, listed = _report_fields(mail)
    recipients, source = _recipients(mail, listed)
    base = _shared_facts(mail, fields)
    out = []
    targets: list[str | None] = list(recipients) or [None]
    for addr in targets:
        f = Facts(recipient=addr, recipient_source=source if addr else None)
        f.fill(base)
        out.append(f)
    return out
