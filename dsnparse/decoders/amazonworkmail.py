"""Amazon WorkMail: a text part that lists the recipients, then ``Technical report:`` with DSN
fields written inline (no delivery-status part), and the original attached.

When SES gave up on a message (``554 4.4.7 Message expired ... <421 4.4.2 Connection timed
out>``) the last remote reply quoted in the diagnostic is the actual cause and its status is kept.
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ..standard.dsn import read_inline
from ._shared import smtp
from ._shared.gate import Gate

NAME = "amazonworkmail"

GATE = Gate(headers=frozenset({"x-mailer"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """The Amazon WorkMail mailer, writing as a mailer-daemon (people's mail carries it too)."""
    return "mailer-daemon@" in mail.sender and "amazon workmail" in mail.header("x-mailer").lower()


def decode(mail: Mail) -> list[Facts]:
    """The inline DSN fields, with the remote server's own status when it quoted one."""
    facts = read_inline(mail.report_text, mail)
    for f in facts:
        inner = smtp.last_reply(f.diagnostic)
        if inner and f.status and inner[1][0] == f.status[0]:
            f.reply_code, f.status = inner
        f.smtp_command = f.smtp_command or smtp.command_phrase(f.diagnostic)
    return facts
