"""The trendmicro decoder: the tricky parts of its layout, beyond what ``fixtures/trendmicro/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import trendmicro
from dsnparse.message import load

from ._samples import message


def test_trendmicro_pairs_each_reply_with_the_rcpt_that_drew_it() -> None:
    m = load(message(
        'From: "InterScan MSS" <postmaster@example.net>\nTo: amy@example.org\nSubject: x',
        "Sent <<< RCPT TO:<fa@example.net>\nReceived >>> 250 ok\n"
        "Sent <<< RCPT TO:<gu@example.net>\nReceived >>> 550 5.1.1 unknown\n",
    ))
    facts = trendmicro.decode(m)
    assert [(f.recipient, f.reply_code, f.smtp_command) for f in facts] == [
        ("fa@example.net", "250", "RCPT"),
        ("gu@example.net", "550", "RCPT"),
    ]
