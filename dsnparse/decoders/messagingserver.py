"""Sun Java System / Oracle Communications Messaging Server (and PMDF, its ancestor).

The human part repeats, per recipient, labelled lines::

    Your message cannot be delivered to the following recipients:

      Recipient address: bob@example.net
      Original address: bob@example.net
      Reason: Remote SMTP server has rejected address
      Diagnostic code: smtp;550 5.1.1 <bob@example.net>... User Unknown
      Remote system: dns;mx.example.net (TCP|192.0.2.1|47323|192.0.2.25|25) (mx.example.net ESMTP)

The "Recipient address" of a message-store delivery is the store channel's
(``bob@ims-ms-daemon``): the "Original address" is then the failed recipient. The "Reason" line
is the server's own summary; it names the failed SMTP command when a remote
server refused it.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "messagingserver"

_LABEL = re.compile(
    r"^[ \t]{0,8}(recipient address|original address|reason|diagnostic code|remote system):[ \t]{0,4}(.*)$", re.I
)
_COMMAND = (
    (re.compile(r"(?i)rejected mail from|mail from address"), "MAIL"),
    (re.compile(r"(?i)rejected address|rcpt to"), "RCPT"),
    (re.compile(r"(?i)rejected the message|\bdata\b"), "DATA"),
)


def matches(mail: Mail) -> bool:
    """From a daemon, with the report's fixed opening sentences (also when the MIME boundaries
    are lost)."""
    return markers.daemon_marked(mail, NAME, 2000)


def _after_semicolon(value: str) -> str:
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _finish(fields: dict[str, str]) -> Facts | None:
    original = addresses.normalize(fields.get("original address"))
    addr = addresses.internet_recipient(addresses.normalize(fields.get("recipient address")), original)
    if not addr:
        return None
    summary = fields.get("reason", "")
    diagnostic = _after_semicolon(fields["diagnostic code"]) if "diagnostic code" in fields else summary
    remote = fields.get("remote system")
    host = _after_semicolon(remote).split()[0].lower() if remote and _after_semicolon(remote) else None
    command = next((c for pattern, c in _COMMAND if pattern.search(summary)), None) if remote else None
    f = blocks.facts(addr, diagnostic or None, smtp_command=command, remote_mta=host)
    f.original_recipient = original
    f.reason = markers.reason_table(NAME).first(summary)
    return f


def decode(mail: Mail) -> list[Facts]:
    """One fact per "Recipient address:" group."""
    groups: list[dict[str, str]] = []
    for row in views.text(mail).split("\n"):
        m = _LABEL.match(row)
        if not m:
            continue
        label = m.group(1).lower()
        if label == "recipient address" or not groups:
            groups.append({})
        groups[-1].setdefault(label, m.group(2).strip())
    out: dict[str, Facts] = {}
    for fields in groups:
        f = _finish(fields)
        if f is not None and f.recipient and f.recipient.lower() not in out:
            out[f.recipient.lower()] = f
    return list(out.values())
