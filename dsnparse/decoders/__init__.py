"""MTA decoders for free-form (and vendor-flavoured) bounce reports, in one ordered list.

A decoder is a module with three names (the whole interface)::

    NAME: str                               # "postfix", shown in BounceRecord.decoder
    def matches(mail: Mail) -> bool: ...    # cheap: headers and the first lines only
    def decode(mail: Mail) -> list[Facts]:  # the per-recipient facts it can read
    GATE: Gate                              # optional: matches is false when it is closed

:data:`ORDER` names them from the most specific to the generic heuristic, which comes last; it is
the only list (the modules are imported by name). The pipeline runs the first of
:data:`SPECIFIC` whose ``matches`` is true and whose ``decode`` yields facts, and
:data:`LAST_RESORT` (generic) only when none did and the message is no standard report.
A new MTA format is one module here, one name in ``ORDER``, fixtures under
``fixtures/<name>/`` (at least one read by it) and, for what the fixtures do not pin down,
``tests/decoders/test_<name>.py``. A decoder whose ``matches`` needs a word in the sender or
one of a few headers declares it as its :class:`Gate`, so that the pipeline skips it without
calling it on the many messages that have neither (``tests/decoders/test_gates.py`` checks every
fixture that a decoder matches against its gate). What decoders share lives in
:mod:`._shared` (not decoders; ``tests/decoders/test_registry.py`` checks the directory against
``ORDER``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Protocol, cast

from ..facts import Facts
from ..message import Mail
from ._shared.gate import Gate as Gate


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

GATES: dict[Decoder, Gate] = {d: gate for d in DECODERS if isinstance(gate := getattr(d, "GATE", None), Gate)}
"""The decoders that declare a :class:`Gate`, and their gates."""

GATED: frozenset[Decoder] = frozenset(GATES)
"""The decoders that declare a gate."""


def _by_word(words: Callable[[Gate], Iterable[str]]) -> dict[str, frozenset[Decoder]]:
    """Each word of the gates (``words(gate)``) to the decoders whose gate it opens."""
    return {w: frozenset(d for d, g in GATES.items() if w in words(g)) for gate in GATES.values() for w in words(gate)}


_BY_SENDER_WORD = _by_word(lambda gate: gate.sender)
_BY_HEADER = _by_word(lambda gate: gate.headers)
_HEADERS = frozenset(_BY_HEADER)


def closed(mail: Mail) -> frozenset[Decoder]:
    """The decoders whose gate is closed for ``mail`` (their ``matches`` is false): every gate's
    words looked for once, not once per decoder."""
    sender = mail.sender
    opened = [ds for word, ds in _BY_SENDER_WORD.items() if word in sender]
    names = mail.header_names
    if not _HEADERS.isdisjoint(names):
        opened.extend(ds for name, ds in _BY_HEADER.items() if name in names)
    return GATED.difference(*opened) if opened else GATED
