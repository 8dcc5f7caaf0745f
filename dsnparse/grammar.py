"""Named regex fragments for what reports quote: each written once, with the reason for its bounds.

Decoders build their line patterns from these pieces (as h11's ``_abnf.py`` does from RFC 7230's
rules) instead of spelling an address again. Every repetition is bounded, so each pattern that
uses a fragment stays linear on hostile input (``tests/test_regex_safety.py``).

An address in a report is scanned loosely - any run of characters that are not the line's own
delimiters, an ``@``, then another such run - because reports quote malformed addresses too, and
:func:`dsnparse.addresses.normalize` decides afterwards what is an address. Two bound pairs:

- :data:`LOCAL_MAX` / :data:`DOMAIN_MAX` (320 / 255), for scanning: a domain name is at most 255
  octets (RFC 1035 2.3.4) and the local part is given the whole of an address's room, 64 + 1 +
  255 = 320 (RFC 3696 errata 1690 and RFC 5321 4.5.3.1), because reports quote local parts
  longer than RFC 5321's 64-octet limit and such a recipient must still be seen to be refused;
- :data:`PATH_MAX` (254) on both sides, for formats that quote a forward-path: RFC 5321
  4.5.3.1.3 limits a path to 256 octets including its angle brackets, so an address in it is
  at most 254.
"""

from __future__ import annotations

LOCAL_MAX = 320
"""Longest local part scanned: the whole room of an address (64 + ``@`` + 255)."""
DOMAIN_MAX = 255
"""Longest domain scanned: a domain name's limit (RFC 1035 2.3.4)."""
PATH_MAX = 254
"""Longest address inside a forward-path (RFC 5321 4.5.3.1.3: 256 octets with ``<`` ``>``)."""

NOT_DELIMITER = r"[^<>\s@]"
"""A character of an address quoted between angle brackets or blanks."""


def address(local: str = NOT_DELIMITER, domain: str | None = None, *, path: bool = False, lazy: bool = False) -> str:
    """An address as ``local{1,N}@domain{1,M}`` of the given character classes (``domain``
    defaults to ``local``): bounds :data:`LOCAL_MAX`/:data:`DOMAIN_MAX`, or :data:`PATH_MAX`
    on both sides when ``path``; ``lazy`` stops the domain at the shortest match (for a
    pattern whose next part may also be part of a domain, such as ``>`` or ``...``)."""
    local_max, domain_max = (PATH_MAX, PATH_MAX) if path else (LOCAL_MAX, DOMAIN_MAX)
    return f"{local}{{1,{local_max}}}@{domain or local}{{1,{domain_max}}}" + ("?" if lazy else "")


ADDRESS = address()
"""An address between angle brackets or blanks: ``[^<>\\s@]{1,320}@[^<>\\s@]{1,255}``."""
ANGLE_ADDRESS = rf"<({ADDRESS})>"
"""An address in angle brackets, captured."""
PATH_ADDRESS = address(r"\S", r"[^\s>]", path=True)
"""An address as quoted in a forward-path, up to an optional closing ``>``."""


def token(chars: str = r"[^<>\s]") -> str:
    """Whatever a report puts where an address belongs (it may lack the ``@``), as characters
    of the class ``chars``, up to an address's room (:data:`LOCAL_MAX`)."""
    return f"{chars}{{1,{LOCAL_MAX}}}"
