"""m-FILTER (Japanese gateway by Digital Arts): a Japanese notice listing the failed addresses,
then ``-------server message`` (the remote reply) and ``-------SMTP command`` sections.
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, views

NAME = "mfilter"

_SERVER = "-------server message"
_COMMAND = "-------smtp command"


def matches(mail: Mail) -> bool:
    """Its X-Mailer or Received header, or its section markers in the first lines."""
    if "m-filter" in mail.header("x-mailer").lower() or views.received_has(mail, "by m-filter"):
        return True
    top = views.head(mail, 3000, body=True)
    return _SERVER in top and _COMMAND in top


def decode(mail: Mail) -> list[Facts]:
    """The addresses above the server message, each with the reply and the SMTP command."""
    text = mail.body
    lower = text.lower()
    server = lower.find(_SERVER)
    if server < 0:
        return []
    sections: dict[str, str] = {}
    for chunk in text[server:].split("\n-------")[:3]:
        name, _, body = chunk.strip("-").partition("\n")
        sections[name.strip().lower()] = body.strip()
    command = sections.get("smtp command", "").split("\n", 1)[0].strip().upper()
    reply = sections.get("server message", "")
    recipients = [a for a in addresses.find_all(text[:server]) if not addresses.is_system(a)]
    skip = {a.lower() for a in addresses.find_all(mail.header("to") + " " + mail.header("from"))}
    return blocks.unique(
        [
            blocks.facts(
                addresses.normalize(r), reply, smtp_command=command.split()[0] if command else None, reasons=NAME
            )
            for r in recipients
            if r.lower() not in skip
        ]
    )
