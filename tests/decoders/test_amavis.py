"""The amavis decoder: the tricky parts of its layout, beyond what ``fixtures/amavis/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import amavis
from dsnparse.message import load

from ._samples import message


def test_amavis_keeps_the_downstream_mta_reply_not_its_own_wrapper() -> None:
    m = load(message(
        'From: "Content-filter at f.example.org" <postmaster@f.example.org>\nTo: amy@example.org\nSubject: x',
        "The message WAS NOT relayed to:\n  <bo@example.net>: host mx.example.net[192.0.2.3] said:\n"
        "   550 5.1.1 Failed, id=1-2, from MTA([192.0.2.3]:10025): 550 5.1.1 <bo@example.net>: no mailbox\n",
    ))
    assert amavis.matches(m)
    (facts,) = amavis.decode(m)
    assert facts.recipient == "bo@example.net"
    assert facts.diagnostic == "550 5.1.1 <bo@example.net>: no mailbox"
    assert facts.remote_mta == "mx.example.net"
