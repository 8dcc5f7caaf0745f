"""Google Groups: a post to a group that does not exist or does not accept the sender's posts.

Google's Mail Delivery Subsystem answers with a localised explanation (the group may not exist,
or the sender may not post to it) that names no SMTP reply; the group address is given only in
``X-Failed-Recipients``. The explanation says the reason outright: the post was rejected.
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ..phrases import cut_original
from ..standard.dsn import join_reply
from ._shared.gate import Gate

NAME = "googlegroups"

_SUPPORT_URL = "groups.google.com/support"
_MAX_DIAGNOSTIC = 1000

GATE = Gate(sender=("mailer-daemon@googlemail.com", "mailer-daemon@google.com"))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """A Google delivery report that points to the Google Groups help centre."""
    if "mailer-daemon@googlemail.com" not in mail.sender and "mailer-daemon@google.com" not in mail.sender:
        return False
    return "x-failed-recipients" in mail.header_names and _SUPPORT_URL in mail.body[:6000]


def decode(mail: Mail) -> list[Facts]:
    """The group addresses of ``X-Failed-Recipients``, with Google's explanation as diagnostic."""
    explanation = join_reply(cut_original(mail.report_text))[:_MAX_DIAGNOSTIC] or None
    out: list[Facts] = []
    for value in mail.header_all("x-failed-recipients"):
        for addr in addresses.find_all(value):
            if addresses.is_system(addr) or any(f.recipient == addr for f in out):
                continue
            out.append(
                Facts(recipient=addr, diagnostic=explanation, reason="rejected", recipient_source="x-failed-recipients")
            )
    return out
