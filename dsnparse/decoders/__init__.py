"""MTA decoders for free-form (and vendor-flavoured) bounce reports, in one ordered list.

A decoder is a module with three names (the whole interface)::

    NAME: str                               # "postfix", shown in BounceRecord.decoder
    def matches(mail: Mail) -> bool: ...    # cheap: headers and the first lines only
    def decode(mail: Mail) -> list[Facts]:  # the per-recipient facts it can read

:data:`ORDER` lists them from the most specific to the generic heuristic, which comes last. The
pipeline runs the first decoder whose ``matches`` is true and whose ``decode`` yields facts.
A new MTA format is one module here, one line in ``ORDER`` and fixtures under ``fixtures/``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Protocol

from ..facts import Facts
from ..message import Mail
from . import (
    activehunter,
    amavis,
    amazonses,
    amazonworkmail,
    aol,
    apachejames,
    apple,
    barracuda,
    bigfoot,
    biglobe,
    courier,
    dragonfly,
    einsundeins,
    exchange2003,
    exchange2007,
    exim,
    ezweb,
    fml,
    generic,
    gmail,
    gmx,
    googlegroups,
    googleworkspace,
    imailserver,
    kddi,
    mailfoundry,
    mailmarshal,
    mailru,
    mcafee,
    messagelabs,
    messagingserver,
    mfilter,
    mimecast,
    mxlogic,
    notes,
    opensmtpd,
    postfix,
    powermta,
    qmail,
    receivingses,
    sendgrid,
    sendmail,
    surfcontrol,
    trendmicro,
    verizon,
    x1,
    x2,
    x3,
    x5,
    x6,
    yahoo,
    yandex,
    zoho,
)


class Decoder(Protocol):
    """The interface every decoder module satisfies."""

    NAME: str

    def matches(self, mail: Mail) -> bool:
        """Cheap test on the bounce's headers and first lines."""

    def decode(self, mail: Mail) -> list[Facts]:
        """Per-recipient facts read from the report (empty when it cannot read it)."""


ORDER: tuple[ModuleType, ...] = (
    # security gateways and filters (unique headers first, then wording)
    activehunter, mcafee, surfcontrol, mfilter, mxlogic, trendmicro, mailfoundry, mailmarshal,
    mimecast, amavis, barracuda, messagelabs,
    # providers and sending services (unique headers first, then sender and wording)
    amazonworkmail, zoho, powermta, receivingses, amazonses, sendgrid, googlegroups, googleworkspace, gmail,
    yahoo, aol, apple, yandex, mailru, gmx, einsundeins,
    # vendor formats (headers and fixed opening sentences first, wrapped bounces last)
    imailserver, fml, apachejames, bigfoot, ezweb, kddi, biglobe, verizon, courier, exchange2003,
    exchange2007, messagingserver, notes, qmail, x1, x2, x3, x6, x5,
    # the classic MTAs' own wording: DragonFly, OpenSMTPD, Postfix, Exim, Sendmail
    dragonfly, opensmtpd, postfix, exim, sendmail,
    generic,
)
"""Decoders in the order they are tried; the generic heuristic is last."""


def decoders() -> tuple[Decoder, ...]:
    """:data:`ORDER`, typed as :class:`Decoder` values."""
    return ORDER
