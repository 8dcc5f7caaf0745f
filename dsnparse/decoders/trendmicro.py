"""Trend Micro InterScan (IMSS / IMSVA): the session excerpt "Sent <<< RCPT TO:<rcpt>" /
"Received >>> reply", or "Reason: Unable to deliver message to <rcpt> (...)".
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import token
from ..message import Mail
from ._shared import blocks, views

NAME = "trendmicro"

_SENT = re.compile(r"(?i)^sen[dt][ \t]{1,4}<<<[ \t]{1,4}(RCPT[ \t]TO|MAIL[ \t]FROM|DATA)\b:?[ \t]*<?([^<>\s]{0,320})>?")
_RECEIVED = re.compile(r"(?i)^received[ \t]{1,4}>>>[ \t]{1,4}(.{1,1000})$")
_REASON = re.compile(r"(?i)^reason:[ \t]{1,8}(unable to deliver message to[ \t]{1,4}<(" + token() + r")>.{0,300})$")


def matches(mail: Mail) -> bool:
    """InterScan's sender name, MIME boundary or Received header."""
    boundary = views.boundary(mail)
    return (
        "interscan" in mail.sender
        or "interscan" in boundary
        or views.received_has(mail, "with interscan messaging")
    )


def decode(mail: Mail) -> list[Facts]:
    """Recipients of the session excerpt (with command and reply) or of the Reason line."""
    out: list[Facts] = []
    command = recipient = None
    for line in mail.report_text.split("\n"):
        text = line.strip()
        sent = _SENT.match(text)
        if sent:
            command = sent.group(1).split()[0].upper()
            recipient = sent.group(2) if command == "RCPT" else recipient
            continue
        received = _RECEIVED.match(text)
        if received and recipient:
            addr = addresses.normalize(recipient)
            out.append(blocks.facts(addr, received.group(1), smtp_command=command, reasons=NAME))
            continue
        reason = _REASON.match(text)
        if reason:
            out.append(blocks.facts(addresses.normalize(reason.group(2)), reason.group(1), reasons=NAME))
    return blocks.unique(out)
