"""RFC 3464 / RFC 6533 delivery status notifications: field groups to :class:`~dsnparse.facts.Facts`.

Works on the text of a ``message/delivery-status`` or ``message/global-delivery-status`` part,
and on DSN fields written into a plain text body by MTAs that do that.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from .. import addresses
from ..facts import Facts, find_reply_code, find_status, is_generic
from ..message import Mail

_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,60})[ \t]*:[ \t]*(.*)")
_XTEXT = re.compile(r"\+([0-9A-Fa-f]{2})")
_REPLY_PREFIX = re.compile(r"([2-5]\d\d)([ -])(?:([245]\.\d{1,3}\.\d{1,3})\s+)?")
# (the first digit before the lookbehind on the character ahead of it, as facts.STATUS_CODE)
_REPLY_STATUS = re.compile(r"([245](?<![\d.][245])\d\d)[ -]'?([245]\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "x-actual-recipient")
_PER_RECIPIENT = (*_RECIPIENT_FIELDS, "action", "status")
"""Fields that make a group a recipient's (the others are per-message defaults)."""
_STATUS_HEAD = re.compile(r"\s{0,16}[245]\.\d{1,3}\.\d{1,3}(?![\d.])")

ACTIONS = {
    "failed": "failed", "failure": "failed", "fail": "failed", "expired": "failed", "error": "failed",
    "undeliverable": "failed", "bounced": "failed", "bounce": "failed", "rejected": "failed",
    "permanent": "failed", "delayed": "delayed", "delay": "delayed", "deferred": "delayed",
    "transient": "delayed", "temporary": "delayed", "delivered": "delivered", "deliverable": "delivered",
    "success": "delivered", "sent": "delivered", "ok": "delivered", "relayed": "relayed",
    "expanded": "expanded",
}


def normalize_action(value: str | None) -> str | None:
    """Map the Action values seen in the wild onto RFC 3464's five (None when unknown)."""
    if not value:
        return None
    word = value.strip().lower().split()[0].rstrip(".,;:()") if value.strip() else ""
    return ACTIONS.get(word)


def decode_xtext(value: str) -> str:
    """Undo RFC 3461 xtext (``+2B`` -> ``+``)."""
    if "+" not in value:
        return value
    return _XTEXT.sub(lambda m: chr(int(m.group(1), 16)), value)


def join_reply(text: str) -> str:
    """Unfold a diagnostic and join a multi-line SMTP reply into one line:
    ``550-5.1.1 a\\n 550-5.1.1 b\\n 550 5.1.1 c`` -> ``550-5.1.1 a b c``."""
    text = " ".join(text.split())
    m = _REPLY_PREFIX.match(text)
    if not m:
        return text
    code, status = m.group(1), m.group(3)
    tail = text[m.end() :]
    # after the unfolding the only white space is single blanks, so a repeat starts " <code>"
    if " " + code in tail:
        repeat = re.compile(rf"\s{code}[ -](?:{re.escape(status)}\s+)?" if status else rf"\s{code}[ -]")
        tail = repeat.sub(" ", tail)
    return text[: m.end()] + tail.strip()


def iso_date(value: str | None) -> str | None:
    """An RFC 5322 date as ISO 8601 in UTC, or None when it does not parse."""
    if not value:
        return None
    try:
        dt = _usual_date(value) or parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    # whole seconds (both readers build the datetime from integers): the ISO text is
    # "YYYY-MM-DDTHH:MM:SS", then "+00:00" when in UTC
    return dt.isoformat()[:19] + "Z"


_USUAL_DATE = re.compile(
    r"[ \t]{0,8}(?:(?i:mon|tue|wed|thu|fri|sat|sun),[ \t]{1,8})?(\d{1,2})[ \t]{1,8}"
    r"(?i:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))[ \t]{1,8}(\d{4})[ \t]{1,8}"
    r"(\d\d):(\d\d):(\d\d)[ \t]{1,8}([+-])(\d\d)(\d\d)"
    # a comment after the zone (RFC 5322 3.3 CFWS: "+0900 (JST)"), which the stdlib skips when
    # a blank parts it from the zone
    r"(?:[ \t]{1,8}\([^()\\]{0,40}\))?[ \t]{0,8}"
)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), 1)}


def _usual_date(value: str) -> datetime | None:
    """``parsedate_to_datetime`` for the usual ``Wed, 16 Oct 2013 14:15:35 +0900`` (a quick
    read; None for any other shape, which the stdlib reads). Raises ValueError for an impossible
    date, as the stdlib does."""
    m = _USUAL_DATE.fullmatch(value)
    if m is None:
        return None
    day, month, year, hour, minute, second, sign, tzh, tzm = m.groups()
    offset = int(tzh) * 3600 + int(tzm) * 60
    tz = None if sign == "-" and offset == 0 else timezone(timedelta(seconds=-offset if sign == "-" else offset))
    return datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second), tzinfo=tz)


def field_groups(mail: Mail) -> list[list[dict[str, str]]]:
    """The field groups (:func:`parse_groups`) of each delivery-status part, read once per message."""
    return mail.memo(_field_groups)


def _field_groups(mail: Mail) -> list[list[dict[str, str]]]:
    return [parse_groups(text) for text in mail.dsn_texts]


def report_date(mail: Mail) -> str | None:
    """The bounce's own Date as ISO 8601 (for :meth:`Mail.memo`: read once per message)."""
    return iso_date(mail.header("date"))


def parse_groups(text: str) -> list[dict[str, str]]:
    """Field groups separated by blank lines, folded lines unfolded, names lower-cased.
    A repeated field keeps its first value."""
    groups: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        if not line.strip():
            if current:
                groups.append(current)
                current, last = {}, None
            continue
        if line[:1] in " \t":
            if last is not None:
                current[last] += "\n" + line
            continue
        m = _FIELD.match(line)
        if not m:
            last = None
            continue
        name = m.group(1).lower()
        if name == "final-recipient" and name in current:
            # a new recipient group written without the separating blank line (AOL, some MTAs)
            groups.append(current)
            current = {}
        elif name in current:
            last = None
            continue
        current[name], last = m.group(2).rstrip(), name
    if current:
        groups.append(current)
    return groups


def _value(field: str | None) -> str | None:
    """``type; value`` to value (e.g. ``dns; mx.example.net`` -> ``mx.example.net``)."""
    if not field:
        return None
    value = field.split(";", 1)[1] if ";" in field else field
    value = " ".join(value.split())
    return value or None


def _type(field: str | None) -> str | None:
    if not field or ";" not in field:
        return None
    kind = field.split(";", 1)[0].strip().lower()
    return kind or None


def _address(field: str | None) -> str | None:
    if not field:
        return None
    return addresses.normalize(decode_xtext(" ".join(field.split())))


def status_comment(field: str | None) -> str | None:
    """The words after the code of a ``Status`` field, parentheses removed: the reporting MTA's
    comment on the failure (``5.2.1 (mailbox disabled)`` -> ``mailbox disabled``), else None."""
    m = _STATUS_HEAD.match(field or "")
    if not m or field is None:
        return None
    comment = " ".join(field[m.end() :].split()).strip("() ")
    return comment or None


def remote_reply(diagnostic: str | None) -> tuple[str, str] | None:
    """The remote server's own reply in a diagnostic: the reply code and specific enhanced status
    of its last ``NNN X.Y.Z`` pair, the innermost one when an MTA wraps the remote's reply in a
    reply of its own (``5.1.0 - Unknown address error 550-'5.4.1 ...'``, ``554 4.4.7 Message
    expired ... <421 4.4.2 Connection timed out>``); None when it has no such pair."""
    found: tuple[str, str] | None = None
    for m in _REPLY_STATUS.finditer(diagnostic or ""):
        status = find_status(m.group(2))
        if status and not is_generic(status) and status[0] == m.group(1)[0]:
            found = (m.group(1), status)
    return found


def choose_status(field: str | None, diagnostic: str | None) -> tuple[str | None, str | None]:
    """The status and reply code of a recipient: ONE rule for a ``Status`` field and a code in
    the ``Diagnostic-Code`` that disagree (documented in docs/classification-rules.md).

    1. The remote server's reply quoted in the diagnostic (:func:`remote_reply`) is the best
       witness: its status and reply code win over the field, whatever the field says.
    2. Else a specific code elsewhere in the diagnostic wins over a field of the same class
       (the field is the reporting MTA's mapping of it), never over a field of another class.
    3. Else the field; the reply code is the first one of the diagnostic.
    """
    status = find_status(field)
    remote = remote_reply(diagnostic)
    if remote is not None:
        return remote[1], remote[0]
    loose = find_status(diagnostic)
    if loose and (status is None or loose[0] == status[0]) and (is_generic(status) or not is_generic(loose)):
        status = loose
    return status, find_reply_code(diagnostic)


def _recipients(group: dict[str, str]) -> tuple[str | None, str | None]:
    """``(recipient, original recipient)``: Final-Recipient, else X-Actual-Recipient, else the
    Original-Recipient."""
    recipient = _address(group.get("final-recipient")) or _address(group.get("x-actual-recipient"))
    original = _address(group.get("original-recipient"))
    return addresses.internet_recipient(recipient, original), original


def _date(group: dict[str, str], per_message: dict[str, str], mail: Mail | None) -> str | None:
    """Last-Attempt-Date, else the message's Arrival-Date, else the report's own Date."""
    date = iso_date(group.get("last-attempt-date") or per_message.get("arrival-date"))
    if date is None and mail is not None:
        date = mail.memo(report_date)
    return date


def _group_facts(group: dict[str, str], per_message: dict[str, str], mail: Mail | None) -> Facts:
    """The facts of one per-recipient group, the per-message group supplying defaults."""
    diag_field = group.get("diagnostic-code")
    diagnostic = join_reply(_value(diag_field) or "") or None
    recipient, original = _recipients(group)
    status, reply_code = choose_status(group.get("status"), diagnostic)
    return Facts(
        recipient=recipient,
        original_recipient=original,
        action=normalize_action(group.get("action")),
        status=status,
        reply_code=reply_code,
        diagnostic=diagnostic,
        diagnostic_type=_type(diag_field),
        remote_mta=_value(group.get("remote-mta")),
        reporting_mta=_value(group.get("reporting-mta") or per_message.get("reporting-mta")),
        date=_date(group, per_message, mail),
        recipient_source="report" if recipient else None,
        comment=status_comment(group.get("status")),
    )


def facts_from_groups(groups: list[dict[str, str]], mail: Mail | None = None) -> list[Facts]:
    """Per-recipient facts from DSN field groups (the per-message group supplies defaults)."""
    per_message: dict[str, str] = {}
    out: list[Facts] = []
    for group in groups:
        if any(k in group for k in _PER_RECIPIENT):
            out.append(_group_facts(group, per_message, mail))
        else:
            per_message.update({k: v for k, v in group.items() if k not in per_message})
    return out


NOTE_LINES = 3
"""At most this many non-blank lines make the human-readable part a note (see :func:`report_note`)."""
NOTE_CHARS = 300
"""...and at most this many characters."""


def report_note(mail: Mail) -> str | None:
    """The human-readable part of a report when it is a short note - a sentence or two, not
    boilerplate around a transcript - joined into one line, else None."""
    text = mail.report_text
    if len(text) > NOTE_CHARS and len(text.split(None, NOTE_CHARS // 2)) > NOTE_CHARS // 2:
        return None  # more words than a note's characters could hold: not a note (quick exit)
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    note = " ".join(lines)
    return note if 0 < len(lines) <= NOTE_LINES and len(note) <= NOTE_CHARS else None


def read(mail: Mail) -> list[Facts]:
    """Facts from every delivery-status part of the message (empty when there is none). The
    short note of a report on one recipient (:func:`report_note`) is that recipient's comment."""
    out: list[Facts] = []
    for groups in field_groups(mail):
        out.extend(facts_from_groups(groups, mail))
    note = report_note(mail) if len(out) == 1 else None
    if note:
        out[0].comment = "\n".join(t for t in (out[0].comment, note) if t)
    return out


_INLINE_DSN = re.compile(r"(?im)^(?:final|original)-recipient:[ \t]*\S")


def read_inline(text: str, mail: Mail | None = None) -> list[Facts]:
    """DSN fields written into a plain text body (no delivery-status part)."""
    m = _INLINE_DSN.search(text)
    if not m:
        return []
    start = text.rfind("\n\n", 0, m.start())
    facts = facts_from_groups(parse_groups(text[start + 1 if start >= 0 else 0 :]), mail)
    return [f for f in facts if f.recipient]
