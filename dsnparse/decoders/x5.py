"""An unnamed relay ("x5") that returns a bounce it received inside a bounce of its own: its
report has the usual banner but lists nobody, and the attached message is the real delivery
report (from a mailer daemon, usually with an RFC 3464 part)::

    ----- The following addresses had permanent delivery errors -----
    [attached: message/rfc822 from MAILER-DAEMON, multipart/report; report-type=delivery-status]

The attached report is read instead of the empty outer one.
"""

from __future__ import annotations

from email.message import Message

from .. import addresses
from ..facts import Facts
from ..message import Mail, attached_mail
from ..phrases import is_daemon, tables
from ..standard import dsn
from . import generic

NAME = "x5"


def _inner(mail: Mail) -> Message | None:
    part = mail.original_part
    if part is None or part.get_content_type() != "message/rfc822":
        return None
    payload = part.get_payload()
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], Message):
        return None
    return payload[0]


def matches(mail: Mail) -> bool:
    """A report without any address whose attached message is itself a bounce from a daemon."""
    inner = _inner(mail)
    if inner is None or mail.dsn_texts or addresses.ADDRESS_IN_TEXT.search(mail.report_text):
        return False
    sender = str(inner.get("from", "")).lower()
    local = (addresses.normalize(sender) or sender).split("@", 1)[0]
    subject = str(inner.get("subject", ""))
    return bool(is_daemon(local) and tables().bounce_subject.search(subject))


def decode(mail: Mail) -> list[Facts]:
    """Facts of the attached bounce: its delivery-status part, else the generic reading."""
    inner = _inner(mail)
    if inner is None:
        return []
    returned = attached_mail(inner, mail.limits)
    return dsn.read(returned) or generic.decode(returned)
