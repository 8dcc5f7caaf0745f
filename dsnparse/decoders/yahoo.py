"""Yahoo Mail (and the Yahoo-run AOL and Yahoo! JAPAN systems): the ``Failure Notice`` layout.

``Sorry, we were unable to deliver your message to the following address.``, then each
recipient as ``<ADDR>:`` followed by the remote reply (``Remote host said: 550 5.1.1 ...
[RCPT_TO]``) or Yahoo's own sentence (``No mx record found for domain=...``), up to
``--- Below this line is a copy of the message.``
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views
from ._shared.gate import Gate

NAME = "yahoo"

_INTRO = "sorry, we were unable to deliver your message to the following address"
_YAHOO_HEADERS = ("x-ymailisg", "x-yahoo-newman-property", "x-yahoo-newman-id")

GATE = Gate(sender=("yahoo",), headers=frozenset(_YAHOO_HEADERS))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """Yahoo's failure notice: its opening sentence, from a Yahoo system."""
    if _INTRO not in views.head(mail, 600, body=True):
        return False
    return "yahoo" in mail.sender or any(h in mail.header_names for h in _YAHOO_HEADERS)


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<ADDR>:`` block of the notice; Yahoo's own sentences give the reason
    (``data/decoder_reasons.toml`` [yahoo])."""
    found = blocks.block_facts(mail)
    table = markers.reason_table("yahoo")
    for facts in found:
        facts.reason = table.find(facts.diagnostic)
    return found
