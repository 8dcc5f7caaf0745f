"""MXLogic (McAfee SaaS Email Protection): an Exim-style report, "The following address(es)
failed:" then ``  <rcpt>: reply`` paragraphs, and the original header after "Included is a copy
of the message header". Its Message-IDs start ``<mxl~`` and it adds ``X-MX-Bounce``.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ._shared import blocks, smtp

NAME = "mxlogic"

_RCPT_LINE = re.compile(r"^[ \t]{1,8}<?(" + address(r"[^<>\s:]") + r")>?:?[ \t]*(.*)$")


def matches(mail: Mail) -> bool:
    """Its ``X-MX-Bounce`` header, its ``<mxl~`` Message-ID or an mxlogic.net daemon sender."""
    if "x-mx-bounce" in mail.header_names:
        return True
    return mail.header("message-id").lower().startswith("<mxl~") or mail.sender.rstrip(">").endswith(".mxlogic.net")


def decode(mail: Mail) -> list[Facts]:
    """Each failed address paragraph (its first line and the indented lines under it)."""
    text = mail.report_text
    lower = text.lower()
    start = max(lower.find("following address failed:"), lower.find("following addresses failed:"))
    if start < 0:
        return []
    end = lower.find("included is a copy of the message", start)
    body = text[start : end if end > 0 else len(text)].split("\n")[1:]
    out: list[Facts] = []
    current: list[str] | None = None
    recipient = ""
    for line in [*body, ""]:
        m = _RCPT_LINE.match(line)
        if m and (current is None or not current):
            recipient, current = m.group(1), [m.group(2)]
        elif current is not None and line.strip():
            current.append(line.strip())
        elif current is not None:
            diagnostic = " ".join(p for p in current if p)
            remote = smtp.remote_host(diagnostic, "bracketed")
            out.append(blocks.facts(addresses.normalize(recipient), diagnostic, remote_mta=remote, reasons=NAME))
            current = None
    return blocks.unique(out)
