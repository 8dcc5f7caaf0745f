"""An unnamed hosted filtering service ("x6") that reports failures in one sentence per error::

We had trouble delivering your message. Full details follow:
1 error(s):
The following recipients returned permanent errors: bob@example.net. Reason: SMTP Server
<192.0.2.1> refused to accept your message (DATA), with the following error message:
[554 5.4.6 Hop count exceeded - possible mail loop]
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "x6"

_ERROR = re.compile(r"(?i)the following recipients returned (?:permanent|temporary) errors:[ \t]{0,4}([^\n]{1,4000})")
_REASON = re.compile(r"(?i)\.[ \t]{1,4}reason:[ \t]{0,4}")
_SERVER = re.compile(r"(?i)smtp server <([^<>\s]{1,255})>")
_COMMAND = re.compile(r"\((RCPT TO|MAIL FROM|DATA|HELO|EHLO|RCPT|MAIL)\)")
_BRACKETED = re.compile(r"\[([245]\d\d[ -][^\]\n]{1,1000})\]")


def matches(mail: Mail) -> bool:
    """From a daemon, with the report's fixed opening sentence."""
    return markers.daemon_marked(mail, NAME, 400)


def decode(mail: Mail) -> list[Facts]:
    """Facts from each "The following recipients returned ... errors" sentence."""
    out: dict[str, Facts] = {}
    for m in _ERROR.finditer(views.text(mail)):
        sentence = m.group(1)
        split = _REASON.search(sentence)
        who, why = (sentence[: split.start()], sentence[split.end() :]) if split else (sentence, "")
        server = _SERVER.search(why)
        command = _COMMAND.search(why)
        reply = _BRACKETED.search(why)
        temporary = "temporary errors" in m.group(0).lower()
        for addr in addresses.find_all(who):
            if addr.lower() in out:
                continue
            f = blocks.facts(
                addr,
                reply.group(1) if reply else why.strip() or None,
                smtp_command=command.group(1).split()[0] if command else None,
                remote_mta=server.group(1).lower() if server else None,
            )
            f.action = "delayed" if temporary else None
            out[addr.lower()] = f
    return list(out.values())
