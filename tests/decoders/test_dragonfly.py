"""The dragonfly decoder: the tricky parts of its layout, beyond what ``fixtures/dragonfly/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import dragonfly
from dsnparse.message import load

from ._samples import message


def test_dragonfly_joins_a_reply_split_by_blank_lines() -> None:
    raw = message(
        "From: MAILER-DAEMON <>\nTo: me@example.org\nSubject: Mail delivery failed",
        "This is the DragonFly Mail Agent v0.14 at h.example.org.\n\n"
        "There was an error delivering your mail to <q@example.net>.\n\n"
        "mx.example.net [192.0.2.2] did not like our final DATA:\n"
        "550-5.7.26 Unauthenticated email is\n\n550 5.7.26 not accepted.\n\nMessage headers follow.\n",
    )
    [facts] = dragonfly.decode(load(raw))
    assert facts.diagnostic == "550-5.7.26 Unauthenticated email is not accepted."
    assert (facts.smtp_command, facts.remote_mta, facts.status) == ("DATA", "mx.example.net", "5.7.26")
