"""Amazon SES: its delivery reports (``MAILER-DAEMON@*.amazonses.com``, with a DSN part) and the
JSON event notifications SES publishes through SNS e-mail subscriptions (``AWS Notification
Message``: ``notificationType`` or ``eventType`` Bounce, Complaint, Delivery or DeliveryDelay).

For a report with a DSN part the text adds the remote server's reply. A JSON notification is the
only source: bounced recipients with their status and diagnostic (the bounce sub-type gives the
reason when it states one, ``data/decoder_reasons.toml`` [amazonses]), complained recipients with their
feedback type, delivered recipients with the SMTP response, delayed recipients as delays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..grammar import token
from ..message import Mail
from ..phrases import cut_original
from ..standard.dsn import join_reply
from ._shared import blocks, markers, smtp
from ._shared.gate import Gate

NAME = "amazonses"

_SES_SENDER = re.compile(r"mailer-daemon@(?:[a-z0-9-]{1,63}\.){0,4}amazonses\.com")
_SNS_SENDER = "no-reply@sns.amazonaws.com"
_TEXT_RECIPIENT = re.compile(r"(?im)^[ \t]{0,4}the following message to <(" + token() + r")> was undeliverable")
_SPLIT_LINE = re.compile(r"!\n ")
_LISTED = re.compile(r"(?im)^an error occurred while trying to deliver the mail to the following recipients?:[ \t]*$")

GATE = Gate(sender=("amazonses.com", _SNS_SENDER))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """SES's own mailer-daemon, or an SNS notification whose body is SES JSON."""
    if _SES_SENDER.search(mail.sender):
        return True
    if _SNS_SENDER not in mail.sender or mail.body.lstrip()[:1] != "{":
        return False
    head = mail.body[:200]
    return '"notificationType"' in head or '"eventType"' in head


def decode(mail: Mail) -> list[Facts]:
    """Facts from the JSON notification, else from the report's text."""
    if _SNS_SENDER in mail.sender:
        return _notification(mail.body)
    return _report(mail)


def _report(mail: Mail) -> list[Facts]:
    text = cut_original(mail.report_text)
    m = _TEXT_RECIPIENT.search(text)
    if m:
        addr = addresses.normalize(m.group(1))
        reason_at = text.lower().find("the reason for the problem:", m.end())
        if addr and reason_at >= 0:
            return [blocks.facts(addr, text[reason_at + len("the reason for the problem:") :], read=True)]
        return [Facts(recipient=addr, recipient_source="text")] if addr else []
    listed = _LISTED.search(text)
    if listed is None:
        return []
    out: list[Facts] = []
    for line in text[listed.end() :].split("\n"):
        if not line.strip():
            if out:
                break
            continue
        addr = addresses.normalize(line)
        if not addr:
            break
        out.append(Facts(recipient=addr, recipient_source="text"))
    return out


def _notification(body: str) -> list[Facts]:
    # a relay that breaks over-long lines (sendmail's 990-octet limit) leaves ``!`` + newline +
    # space inside the one-line JSON: undo it before decoding
    text = _SPLIT_LINE.sub("", body[body.find("{") :])
    try:
        data, _end = json.JSONDecoder(strict=False).raw_decode(text)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    kind = str(data.get("notificationType") or data.get("eventType") or "").lower()
    if kind == "bounce":
        return _bounce(_dict(data.get("bounce")))
    if kind == "complaint":
        return _complaint(_dict(data.get("complaint")))
    if kind == "delivery":
        return _delivery(_dict(data.get("delivery")))
    if kind == "deliverydelay":
        return _delay(_dict(data.get("deliveryDelay")))
    return []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _entries(block: dict[str, Any], key: str) -> list[Any]:
    value = block.get(key)
    return value if isinstance(value, list) else []


def _recipients(block: dict[str, Any], key: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    """``(address, diagnostic type, diagnostic, status)`` of each listed recipient, once each."""
    seen: set[str] = set()
    for entry in _entries(block, key):
        if not isinstance(entry, dict):
            continue
        addr = addresses.normalize(str(entry.get("emailAddress") or ""))
        if not addr or addr in seen:
            continue
        seen.add(addr)
        raw = str(entry.get("diagnosticCode") or "")
        kind, _, value = raw.partition(";") if ";" in raw[:12] else ("", "", raw)
        diagnostic = join_reply(value) or None
        status = find_status(str(entry.get("status") or "")) or find_status(diagnostic)
        yield addr, kind.strip().lower() or None, diagnostic, status


def _bounce(bounce: dict[str, Any]) -> list[Facts]:
    reason = markers.reason_table("amazonses").get(str(bounce.get("bounceSubType") or ""))
    transient = str(bounce.get("bounceType") or "").lower() == "transient"
    out: list[Facts] = []
    for addr, kind, diagnostic, status in _recipients(bounce, "bouncedRecipients"):
        out.append(
            Facts(
                recipient=addr,
                action="delayed" if transient and not (status or "").startswith("5") else "failed",
                status=status,
                reply_code=find_reply_code(diagnostic),
                diagnostic=diagnostic,
                diagnostic_type=kind,
                reporting_mta=_mta(bounce.get("reportingMTA")),
                smtp_command=smtp.command_phrase(diagnostic),
                date=iso_date_json(bounce.get("timestamp")),
                reason=reason,
                recipient_source="report",
            )
        )
    return out


def _delay(delay: dict[str, Any]) -> list[Facts]:
    out: list[Facts] = []
    for addr, _kind, diagnostic, status in _recipients(delay, "delayedRecipients"):
        out.append(
            Facts(
                recipient=addr,
                action="delayed",
                status=status,
                reply_code=find_reply_code(diagnostic),
                diagnostic=diagnostic,
                reporting_mta=_mta(delay.get("reportingMTA")),
                date=iso_date_json(delay.get("timestamp")),
                recipient_source="report",
            )
        )
    return out


def _complaint(complaint: dict[str, Any]) -> list[Facts]:
    feedback = str(complaint.get("complaintFeedbackType") or "abuse")
    out: list[Facts] = []
    for entry in _entries(complaint, "complainedRecipients"):
        addr = addresses.normalize(str(entry.get("emailAddress") or "")) if isinstance(entry, dict) else None
        if addr and not any(f.recipient == addr for f in out):
            out.append(
                Facts(
                    recipient=addr,
                    feedback_type=feedback,
                    reason="feedback",
                    date=iso_date_json(complaint.get("timestamp")),
                    recipient_source="report",
                )
            )
    return out


def _delivery(delivery: dict[str, Any]) -> list[Facts]:
    response = join_reply(str(delivery.get("smtpResponse") or "")) or None
    out: list[Facts] = []
    for entry in _entries(delivery, "recipients"):
        addr = addresses.normalize(str(entry)) if isinstance(entry, str) else None
        if addr and not any(f.recipient == addr for f in out):
            out.append(
                Facts(
                    recipient=addr,
                    action="delivered",
                    status=find_status(response),
                    reply_code=find_reply_code(response),
                    diagnostic=response,
                    reporting_mta=_mta(delivery.get("reportingMTA")),
                    remote_mta=str(delivery.get("remoteMtaIp") or "") or None,
                    date=iso_date_json(delivery.get("timestamp")),
                    recipient_source="report",
                )
            )
    return out


def _mta(value: Any) -> str | None:
    text = str(value or "")
    return (text.split(";", 1)[1] if ";" in text else text).strip() or None


_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?Z")


def iso_date_json(value: Any) -> str | None:
    """An SES timestamp (``2016-10-21T00:06:40.502Z``) as ISO 8601 without fractions."""
    m = _ISO.fullmatch(str(value or ""))
    return f"{m.group(1)}T{m.group(2)}Z" if m else None
