"""OpenSMTPD: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail."

The notice lists one ``recipient: reason`` line per address under "...the following list of
recipients:" (failures) or "A message is delayed for more than ... for the following list of
recipients:" (delay warnings); the reason is the remote reply or OpenSMTPD's own verdict
("Envelope expired", "Domain does not exist").
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, markers, smtp, views

NAME = "opensmtpd"

_INTRO = "this is the mailer-daemon, please do not reply to this e"
_LIST_START = re.compile(r"(?i)(?:following list of recipients|list of recipients):\s{0,4}$")
_LINE = re.compile(
    r"^[ \t]{0,8}<?(" + address(r"[^\s<>:]", r"[A-Za-z0-9.\[\]:-]", lazy=True) + r")>?:[ \t]{1,8}(\S.{0,2000})$"
)
_RECEIVED = re.compile(r"\(OpenSMTPD\)")


def matches(mail: Mail) -> bool:
    """OpenSMTPD's greeting in the first lines, or its subject on a daemon notice it received."""
    if _INTRO in views.head(mail, 400, body=True):
        return True
    subject = mail.subject.lower()
    if not subject.startswith("delivery status notification: "):
        return False
    return any(_RECEIVED.search(r) for r in mail.header_all("received")[:2])


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``recipient: reason`` line of the recipient list."""
    lines = mail.report_text.split("\n")
    out: list[Facts] = []
    seen: set[str] = set()
    inside = False
    for line in lines:
        if _LIST_START.search(line):
            inside = True
            continue
        if not inside:
            continue
        m = _LINE.match(line)
        if not m:
            if out and line.strip():
                break
            continue
        recipient = addresses.normalize(m.group(1))
        if recipient is None or recipient.lower() in seen:
            continue
        seen.add(recipient.lower())
        text = " ".join(m.group(2).split())
        facts = Facts(
            recipient=recipient,
            diagnostic=text,
            smtp_command=smtp.command(text),
            recipient_source="report",
            reason=None if smtp.reply(text) else markers.reason_table(NAME).first(text),
        )
        out.append(smtp.fill_codes(facts, text))
    return blocks.dated(mail, out)
