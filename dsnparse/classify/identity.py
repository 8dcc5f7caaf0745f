"""The sending identity a refusal quotes: the first IP address (v4 or v6) in the reply that is
not the receiving host's own ``host[ip]`` and not a DNSBL return code (127.0.0.0/8), else the
domain a cue names (``sending domain example.org``, ``example.org's DMARC policy``).

Every pattern is a bounded character-class run (linear time); candidates are validated with
:mod:`ipaddress`, not by the pattern.
"""

from __future__ import annotations

import ipaddress
import re

_IP_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[0-9A-Fa-f:.]{3,45}")
"""A run of characters an IP literal is made of, not inside a word (``IPv6:2001:db8::1`` gives
``2001:db8::1``); :func:`_ip` decides whether it is one."""
_DOMAIN = r"([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})"
_DOMAIN_CUES = (
    re.compile(r"(?i)\b(?:sending|sender|from|helo|ehlo) domain:? [<\['\"(]?" + _DOMAIN),
    re.compile(_DOMAIN + r"'s DMARC policy", re.I),
)
"""Cues after (or before) which a reply names the sending domain."""


def _ip(token: str) -> str | None:
    token = token.strip(".:")
    if "." not in token and ":" not in token:
        return None
    try:
        address = ipaddress.ip_address(token)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:  # 127.0.0.x: a DNSBL's return code
        return None
    return str(address)


def sender_identity(text: str) -> str | None:
    """The sending IP or domain quoted in a reply, else ``None``."""
    for found in _IP_CANDIDATE.finditer(text):
        start = found.start()
        if start >= 2 and text[start - 1] == "[" and (text[start - 2].isalnum() or text[start - 2] in ".-"):
            continue  # host[ip]: the receiving MTA as the sending MTA names it
        address = _ip(found.group())
        if address is not None:
            return address
    for cue in _DOMAIN_CUES:
        named = cue.search(text)
        if named is not None:
            return named.group(1).lower().rstrip(".")
    return None
