"""Yandex: a Postfix report under a Russian preamble, with a DSN part (``X-Yandex-*`` fields).

The DSN gives recipients and status; the text's ``<ADDR>: host H[IP] said: ... (in reply to
RCPT TO command)`` blocks add the SMTP command, the remote host and the full reply.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ._shared import blocks
from ._shared.gate import Gate

NAME = "yandex"

GATE = Gate(sender=("yandex",), headers=frozenset({"x-yandex-uniq"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The mailer-daemon of Yandex, or a bounce carrying Yandex's own headers."""
    if "mailer-daemon@" not in mail.sender:
        return False
    return "yandex" in mail.sender or "x-yandex-uniq" in mail.header_names


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<ADDR>:`` block of the text part."""
    return blocks.block_facts(mail)
