"""MailMarshal (Trustwave/Marshal): "Could not be delivered because of <reply>", then
"The following recipients were affected:" and an "Additional Information" block of fields.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, views

NAME = "mailmarshal"

_FIELD = re.compile(r"(?im)^(remote-mta|reporting-mta):[ \t]{0,20}<?([^<>\s]{1,255})>?")


def matches(mail: Mail) -> bool:
    """Sent by "MailMarshal.Sender", or its subject with its recipients sentence near the top."""
    if views.received_has(mail, "mailmarshal"):
        return True
    return mail.subject.lower().startswith("undeliverable mail:") and "recipients were affected" in mail.body[:3000]


def decode(mail: Mail) -> list[Facts]:
    """Every affected recipient, with the reply and the remote and reporting MTAs."""
    text = mail.report_text
    lower = text.lower()
    start = lower.find("could not be delivered because of")
    listed = lower.find("the following recipients were affected")
    if listed < 0:
        return []
    diagnostic = text[start + len("could not be delivered because of") : listed] if 0 <= start < listed else ""
    block = text[listed:].split("\n", 1)[1] if "\n" in text[listed:] else ""
    recipients: list[str] = []
    for line in block.split("\n"):
        if line.strip().lower().startswith("additional information"):
            break
        recipients.extend(addresses.find_all(line))
    fields = {m.group(1).lower(): m.group(2) for m in _FIELD.finditer(text)}
    return blocks.unique(
        [
            blocks.facts(
                addresses.normalize(r),
                diagnostic,
                remote_mta=fields.get("remote-mta"),
                reporting_mta=fields.get("reporting-mta"),
                reasons=NAME,
            )
            for r in recipients
        ]
    )
