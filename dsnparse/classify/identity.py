"""The sending identity a refusal quotes: the first IP address (v4 or v6) in the reply that is
not the receiving host (``host name[ip]``) and not a DNSBL return code (127.0.0.0/8), else the
domain a cue names (``sending domain example.org``, ``example.org's DMARC policy``).

The patterns are bounded character-class runs (linear time) and the DMARC cue is found with
``str.find`` and read backwards; candidates are validated with :mod:`ipaddress`, not by a pattern.
"""

from __future__ import annotations

import ipaddress
import re

_IP_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[0-9A-Fa-f:.]{3,45}")
"""A run of characters an IP literal is made of, not inside a word (``IPv6:2001:db8::1`` gives
``2001:db8::1``); :func:`_ip` decides whether it is one."""
_DOMAIN_CUE = re.compile(
    r"(?i)\b(?:sending|sender|from|helo|ehlo) domain:? [<\['\"(]?"
    r"([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})"
)
"""A cue after which a reply names the sending domain (``sending domain example.org``)."""
_BEFORE_CUE = "'s dmarc policy"
"""A cue before which a reply names it (``example.org's DMARC policy``), read backwards."""
_IPV4_SHAPE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
"""The only shape :class:`ipaddress.IPv4Address` accepts: a token without a colon that does not
have it (a status code ``5.7.1``, a version ``1.2``) is no address, told without the exception."""


def _ip(token: str) -> str | None:
    token = token.strip(".:")
    if ":" not in token and not _IPV4_SHAPE.fullmatch(token):
        return None  # not IPv6 (it needs colons), and not the one shape IPv4 takes
    try:
        address = ipaddress.ip_address(token)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:  # 127.0.0.x: a DNSBL's return code
        return None
    return str(address)


def _names_the_receiver(text: str, start: int) -> bool:
    """True when the IP at ``start`` is bracketed after ``host <name>`` (``host mx.example.net[ip]
    said:``, Exim's ``host mx.example.net [ip]:``): the receiving MTA as the sending MTA names it.
    ``Client host [ip]`` and ``<name[ip]>: Client host rejected`` name the client and are kept."""
    if start < 1 or text[start - 1] != "[":
        return False
    end = start - 1
    if end > 0 and text[end - 1] == " ":
        end -= 1
    begin = end
    while begin > 0 and end - begin < 255 and text[begin - 1].isascii() and (
            text[begin - 1].isalnum() or text[begin - 1] in ".-"):
        begin -= 1
    return "." in text[begin:end] and text[max(begin - 5, 0):begin].lower() == "host "


def sender_identity(text: str) -> str | None:
    """The sending IP or domain quoted in a reply, else ``None``."""
    for found in _IP_CANDIDATE.finditer(text):
        if _names_the_receiver(text, found.start()):
            continue
        address = _ip(found.group())
        if address is not None:
            return address
    named = _DOMAIN_CUE.search(text)
    if named is not None:
        return named.group(1).lower().rstrip(".")
    return _domain_before(text, _BEFORE_CUE)


def _domain_before(text: str, cue: str) -> str | None:
    """The host name that ends where ``cue`` (lower case) starts in ``text``, if any."""
    end = text.lower().find(cue)
    start = end
    while start > 0 and end - start < 253 and text[start - 1].isascii() and (
            text[start - 1].isalnum() or text[start - 1] in ".-"):
        start -= 1
    name = text[start:end].strip(".-").lower() if end > 0 else ""
    return name if "." in name else None
