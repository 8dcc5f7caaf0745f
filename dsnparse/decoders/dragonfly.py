"""DragonFly Mail Agent (dma): "This is the DragonFly Mail Agent vX at host."

One notice per failed recipient::

    There was an error delivering your mail to <alice@example.net>.

    mx.example.net [192.0.2.1] did not like our RCPT TO:
    550 5.1.1 <alice@example.net>: Recipient address rejected: User unknown

    Message headers follow.

The line "host [ip] did not like our COMMAND:" names the remote host and the command; the reply
follows (multi-line replies are separated by blank lines in dma's output).
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import token
from ..message import Mail
from ..standard.dsn import join_reply
from ._shared import blocks, markers, smtp

NAME = "dragonfly"

_INTRO = re.compile(r"(?i)^this is the dragonfly mail agent\b")
_INTRO_HOST = re.compile(r"(?im)^this is the dragonfly mail agent \S{1,40} at ([A-Za-z0-9.-]{1,253}?)\.?$")
_RECEIVED = re.compile(r"\(DragonFly Mail Agent\b")
_TO = re.compile(r"(?i)^there was an error delivering your mail to <(" + token() + r")>")
_DID_NOT_LIKE = re.compile(
    r"(?i)^(\S{1,255})(?: \[([0-9A-Fa-f.:]{2,45})\])? did not like our ([A-Za-z ]{2,20}?):?\s{0,4}$"
)
_END = re.compile(r"(?i)^(?:message headers follow|original message follows)")
_COMMANDS = {"final data": "DATA", "data": "DATA", "rcpt to": "RCPT", "mail from": "MAIL", "ehlo": "EHLO",
             "helo": "HELO", "starttls": "STARTTLS", "auth": "AUTH", "banner": "CONN"}


def matches(mail: Mail) -> bool:
    """dma's opening sentence, or its Received line."""
    if _INTRO.search(mail.body[:200].lstrip()):
        return True
    return any(_RECEIVED.search(r) for r in mail.header_all("received")[:2])


def decode(mail: Mail) -> list[Facts]:
    """The recipient of the notice, with the remote host, command and reply when given."""
    lines = mail.report_text.split("\n")
    recipient = None
    body: list[str] = []
    host = command = None
    for line in lines:
        if _END.match(line):
            break
        m = _TO.match(line)
        if m:
            recipient = addresses.normalize(m.group(1))
            continue
        if recipient is None:
            continue
        like = _DID_NOT_LIKE.match(line.strip())
        if like:
            host = like.group(1).lower()
            command = _COMMANDS.get(like.group(3).strip().lower())
            continue
        if line.strip():
            body.append(line.strip())
    if recipient is None:
        return []
    text = " ".join(body)
    diag = join_reply(text) if smtp.reply(text) else text
    host_line = _INTRO_HOST.search(mail.report_text[:300])
    facts = Facts(
        reporting_mta=host_line.group(1).lower() if host_line else None,
        recipient=recipient,
        diagnostic=diag or None,
        remote_mta=host,
        smtp_command=command,
        recipient_source="report",
        reason=None if host else markers.reason_table(NAME).first(text),
    )
    return blocks.dated(mail, [smtp.fill_codes(facts, diag)])
