"""The mxlogic decoder: the tricky parts of its layout, beyond what ``fixtures/mxlogic/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import mxlogic
from dsnparse.message import load

from ._samples import message


def test_mxlogic_joins_a_reply_wrapped_over_several_lines() -> None:
    m = load(message(
        "From: MAILER-DAEMON@relay.example.net\nTo: amy@example.org\nSubject: Mail delivery failed\n"
        "X-MX-Bounce: mta/src/queue/bounce",
        "The following address failed:\n\n  <di@example.net>: host mx.example.net [192.0.2.4]:\n"
        "    550-5.1.1 first line\n    550 5.1.1 second line\n\nIncluded is a copy of the message header:\n"
        "To: di@example.net, ed@example.net\n",
    ))
    (facts,) = mxlogic.decode(m)
    assert facts.recipient == "di@example.net"
    assert facts.status == "5.1.1"
    assert facts.remote_mta == "mx.example.net"
