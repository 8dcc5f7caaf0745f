"""MTA decoders for free-form (and vendor-flavoured) bounce reports, in one ordered list.

A decoder is a module with three names (the whole interface)::

    NAME: str                               # "postfix", shown in BounceRecord.decoder
    def matches(mail: Mail) -> bool: ...    # cheap: headers and the first lines only
    def decode(mail: Mail) -> list[Facts]:  # the per-recipient facts it can read

:data:`ORDER` names them from the most specific to the generic heuristic, which comes last; it is
the only list (the modules are imported by name). The pipeline runs the first of
:data:`SPECIFIC` whose ``matches`` is true and whose ``decode`` yields facts, and
:data:`LAST_RESORT` (generic) only when none did and the message is no standard report.
A new MTA format is one module here, one name in ``ORDER``, fixtures under
``fixtures/<name>/`` (at least one read by it) and, for what the fixtures do not pin down,
``tests/decoders/test_<name>.py``. What decoders share lives in
:mod:`._shared` (not decoders; ``tests/decoders/test_registry.py`` checks the directory against
``ORDER``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol, cast

from ..facts import Facts
from ..message import Mail


class Decoder(Protocol):
    """The interface every decoder module satisfies."""

    NAME: str

    def matches(self, mail: Mail) -> bool:
        """Cheap test on the bounce's headers and first lines."""

    def decode(self, mail: Mail) -> list[Facts]:
        """Per-recipient facts read from the report (empty when it cannot read it)."""


ORDER: tuple[str, ...] = (
    # security gateways and filters (unique headers first, then wording)
    "activehunter", "mcafee", "surfcontrol", "mfilter", "mxlogic", "trendmicro", "mailfoundry", "mailmarshal",
    "mimecast", "amavis", "barracuda", "messagelabs",
    # providers and sending services (unique headers first, then sender and wording)
    "amazonworkmail", "zoho", "powermta", "receivingses", "amazonses", "sendgrid", "googlegroups",
    "googleworkspace", "gmail", "yahoo", "aol", "apple", "yandex", "mailru", "gmx", "einsundeins",
    # vendor formats (headers and fixed opening sentences first, wrapped bounces last)
    "imailserver", "fml", "apachejames", "bigfoot", "ezweb", "kddi", "biglobe", "verizon", "courier",
    "exchange2003", "exchange2007", "messagingserver", "notes", "qmail", "x1", "x2", "x3", "x6", "x5",
    # the classic MTAs' own wording: DragonFly, OpenSMTPD, Postfix, Exim, Sendmail
    "dragonfly", "opensmtpd", "postfix", "exim", "sendmail",
    # the last resort: failure wording next to addresses, for reports no decoder above claimed
    "generic",
)
"""Decoder module names in the order they are tried; the generic heuristic is last."""

DECODERS: tuple[Decoder, ...] = tuple(cast(Decoder, import_module(f"{__name__}.{name}")) for name in ORDER)
"""The decoder modules of :data:`ORDER`, in order."""

SPECIFIC: tuple[Decoder, ...] = DECODERS[:-1]
"""Every decoder but the last resort: each reads one MTA's or vendor's format."""

LAST_RESORT: Decoder = DECODERS[-1]
"""The generic heuristic, tried only when no specific decoder read the message."""
