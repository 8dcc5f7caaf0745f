"""PowerMTA: a standard DSN whose recipient groups carry ``X-PowerMTA-BounceCategory``.

PowerMTA classifies every bounce itself (``bad-mailbox``, ``quota-issues``, ``spam-related``...);
the category states the reason (``data/decoder_reasons.toml`` [powermta]) when the status says nothing
more specific (a category is coarser than ``5.2.1``), the DSN gives the rest.
"""

from __future__ import annotations

from ..facts import Facts, is_generic
from ..message import Mail
from ..standard.dsn import facts_from_groups, parse_groups
from ._shared import markers, smtp

NAME = "powermta"

_MARK = "x-powermta-"


def matches(mail: Mail) -> bool:
    """A DSN part with PowerMTA's own fields."""
    return any(_MARK in text[:3000].lower() for text in mail.dsn_texts)


def decode(mail: Mail) -> list[Facts]:
    """The DSN recipients, each with the reason of its PowerMTA bounce category."""
    table = markers.reason_table("powermta")
    out: list[Facts] = []
    for text in mail.dsn_texts:
        groups = parse_groups(text)
        recipient_groups = [g for g in groups if "final-recipient" in g or "original-recipient" in g]
        for group, f in zip(recipient_groups, facts_from_groups(groups, mail), strict=False):
            if is_generic(f.status):
                f.reason = table.get(group.get("x-powermta-bouncecategory"))
            f.smtp_command = smtp.command_phrase(f.diagnostic)
            out.append(f)
    return out
