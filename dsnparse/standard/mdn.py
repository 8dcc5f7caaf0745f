"""RFC 8098 message disposition notifications (read receipts)."""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail, part_text
from .dsn import parse_groups

MDN_TYPES = ("message/disposition-notification", "message/global-disposition-notification")


def is_receipt(mail: Mail) -> bool:
    """True for a disposition notification."""
    if mail.report_type == "disposition-notification":
        return True
    return any(p.get_content_type() in MDN_TYPES for p in mail.parts)


def read(mail: Mail) -> list[Facts]:
    """One fact: the recipient who read (or deleted) the message, and the disposition."""
    fields: dict[str, str] = {}
    for p in mail.parts:
        if p.get_content_type() in MDN_TYPES:
            for group in parse_groups(part_text(p, mail.limits.max_text_bytes)):
                for k, v in group.items():
                    fields.setdefault(k, v)
    recipient = addresses.normalize(fields.get("final-recipient") or fields.get("original-recipient"))
    if recipient is None:
        recipient = addresses.normalize(mail.header("from"))
    disposition = " ".join((fields.get("disposition") or "").split()) or None
    return [Facts(recipient=recipient, diagnostic=disposition, recipient_source="report", reason="delivered")]
