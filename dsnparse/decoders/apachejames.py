"""Apache James: an "Error message below:" notice with the reply, then the message details
including the envelope recipient::

    Error: Invalid user address

    Error message below:
    550 - Requested action not taken: no such user here

    Message details:
      Subject: Hello
      MAIL FROM: alice@example.com
      RCPT TO: bob@example.net
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "apachejames"

_BELOW = re.compile(r"(?i)^[ \t]{0,4}error message below:[ \t]{0,4}$")
_RCPT = re.compile(r"(?i)^[ \t]{0,8}rcpt to:[ \t]{0,4}(.{1,2000})$")
_DETAILS = re.compile(r"(?i)^[ \t]{0,4}message details:")


def matches(mail: Mail) -> bool:
    """From a daemon, the "Error message below:" notice, with James's JavaMail Message-ID,
    Received trace or "[BOUNCE]" subject, or with its "Message details:" section."""
    views.head(mail, 2000)  # the report text is read before the sender, as it always was
    if not views.machine_report(mail) or not markers.head_marked(mail, NAME, 2000):
        return False
    james = (
        ".javamail." in mail.header("message-id").lower()
        or mail.subject.startswith("[BOUNCE]")
        or any("JAMES" in r for r in mail.received[:3])
    )
    return james or markers.head_marked(mail, "apachejames_details", 2000)


def decode(mail: Mail) -> list[Facts]:
    """The RCPT TO recipients, each with the error message as diagnostic."""
    rows = views.text(mail).split("\n")
    where = next((i for i, row in enumerate(rows) if _BELOW.match(row)), None)
    if where is None:
        return []
    message: list[str] = []
    for row in rows[where + 1 :]:
        if _DETAILS.match(row) or (message and not row.strip()):
            break
        if row.strip():
            message.append(row.strip())
    out: dict[str, Facts] = {}
    for row in rows[where + 1 :]:
        m = _RCPT.match(row)
        if not m:
            continue
        for addr in addresses.find_all(m.group(1)):
            out.setdefault(addr.lower(), blocks.facts(addr, " ".join(message) or None, source="report"))
    return list(out.values())
