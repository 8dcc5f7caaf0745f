"""An unnamed Japanese MTA ("x2") whose notice gives, per recipient, the host, the remote reply
and the SMTP step that failed (its qmail-like sibling layout is read by :mod:`.qmail`)::

    Your delivery to the following address has been failed.
    Delivery failed: bob@example.co.jp
    192.0.2.1 failed after I sent the message.
    Remote host said[Response Message]: 554 5.4.14 Hop count exceeded - possible mail loop
    STEP: DATA SEND
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "x2"

_FAILED = re.compile(r"(?i)^[ \t]{0,4}delivery failed:[ \t]{0,4}<?(" + PATH_ADDRESS + r")>?[ \t]{0,4}$")
_SAID = re.compile(r"(?i)^[ \t]{0,4}remote host said(?:\[[^\]\n]{0,40}\])?:[ \t]{0,4}(.{1,2000})$")
_HOST = re.compile(r"^[ \t]{0,4}([A-Za-z0-9][A-Za-z0-9.:-]{0,253}[A-Za-z0-9])[ \t]{1,4}(?:failed|does not like)\b")
_STEP = re.compile(r"(?i)^[ \t]{0,4}step:[ \t]{0,4}(rcpt|mail|data|helo|ehlo|conn)")


def matches(mail: Mail) -> bool:
    """From a daemon, with the notice's fixed sentence."""
    return markers.daemon_marked(mail, NAME, 800)


def decode(mail: Mail) -> list[Facts]:
    """One fact per "Delivery failed:" paragraph."""
    out: dict[str, Facts] = {}
    current: Facts | None = None
    for row in views.lines(mail):
        failed = _FAILED.match(row)
        if failed:
            addr = addresses.normalize(failed.group(1))
            current = None if not addr or addr.lower() in out else blocks.facts(addr, None)
            if current is not None and addr:
                out[addr.lower()] = current
            continue
        if current is None:
            continue
        said, host, step = _SAID.match(row), _HOST.match(row), _STEP.match(row)
        if said:
            reply = blocks.facts(current.recipient, said.group(1))
            current.diagnostic, current.status, current.reply_code = reply.diagnostic, reply.status, reply.reply_code
        elif host and "." in host.group(1):
            current.remote_mta = host.group(1).lower()
        elif step:
            current.smtp_command = step.group(1).upper()
    return list(out.values())
