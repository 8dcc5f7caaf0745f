"""The mimecast decoder: the tricky parts of its layout, beyond what ``fixtures/mimecast/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import mimecast
from dsnparse.message import load

from ._samples import message


def test_mimecast_sections_survive_a_wrapped_line_and_set_the_stated_reason() -> None:
    m = load(message(
        "From: postmaster@example.net\nTo: amy@example.org\nSubject: [Postmaster] Email Delivery Failure\n"
        "X-MC-System: =abc\nContent-Transfer-Encoding: quoted-printable",
        "An email that you attempted to send to the following address could not be d=\nelivered:\n"
        "-- cy@example.net\n\nThe problem appears to be :\n-- Recipient mailbox is full\n\n"
        "Additional information follows :\n-- 552 5.2.2 quota exceeded for this=\n mailbox\n",
    ))
    assert mimecast.matches(m)
    (facts,) = mimecast.decode(m)
    assert (facts.recipient, facts.status, facts.reason) == ("cy@example.net", "5.2.2", "mailboxfull")
