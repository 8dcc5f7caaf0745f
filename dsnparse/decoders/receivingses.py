"""Amazon SES inbound (receiving) rejections: a DSN from ``inbound-smtp.<region>.amazonaws.com``
sent by the recipient domain's postmaster through SES (``X-SES-Outgoing``).

The DSN gives recipient and status; SES writes a small set of fixed replies (``Mailbox does not
exist``, ``Message Filtered``...) whose reason is a table (``data/decoder_reasons.toml`` [receivingses]).
"""

from __future__ import annotations

from ..facts import Facts
from ..message import Mail
from ..standard.dsn import facts_from_groups, parse_groups
from ._shared import markers, smtp
from ._shared.gate import Gate

NAME = "receivingses"

_INBOUND = "inbound-smtp."

GATE = Gate(headers=frozenset({"x-ses-outgoing"}))
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """Sent through SES, with a DSN whose reporting MTA is SES's inbound endpoint."""
    if "x-ses-outgoing" not in mail.header_names or not mail.dsn_texts:
        return False
    return _INBOUND in mail.dsn_texts[0][:500].lower()


def decode(mail: Mail) -> list[Facts]:
    """The DSN recipients, each with the reason of SES's fixed reply."""
    table = markers.reason_table("receivingses")
    out: list[Facts] = []
    for text in mail.dsn_texts:
        for f in facts_from_groups(parse_groups(text), mail):
            f.reason = table.find(f.diagnostic)
            f.smtp_command = smtp.command_phrase(f.diagnostic)
            out.append(f)
    return out
