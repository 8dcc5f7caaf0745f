"""MailFoundry gateway: "Unable to deliver message to: <rcpt>" then "Server host[ip] failed with: reply".
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import token
from ..message import Mail
from ._shared import blocks, views

NAME = "mailfoundry"

_UNABLE = re.compile(r"(?im)^unable to deliver message to:[ \t]{0,8}<?(" + token() + r")>?[ \t]*$")
_SERVER = re.compile(r"(?i)server[ \t]{1,4}(\S{1,255}?)\[[0-9a-f.:]{3,45}\][ \t]{1,4}failed with:[ \t]{0,4}")


def matches(mail: Mail) -> bool:
    """A Received header written by MailFoundry."""
    return views.received_has(mail, "(mailfoundry)")


def decode(mail: Mail) -> list[Facts]:
    """Each "Unable to deliver" recipient with the paragraph that explains it."""
    text = mail.report_text
    found = list(_UNABLE.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        block = text[m.end() : end].split("\n\n", 1)[0]
        server = _SERVER.search(block)
        diagnostic = block[server.end() :] if server else block.replace("Delivery failed for the following reason:", "")
        remote = server.group(1).lower() if server else None
        addr = addresses.normalize(m.group(1))
        out.append(blocks.facts(addr, diagnostic, remote_mta=remote, action="failed", reasons=NAME))
    return blocks.unique(out)
