"""Email addresses: the one place flanker is used.

Everything that extracts an address from a report goes through :func:`normalize` (one candidate
string to a clean ``local@domain`` or None) or :func:`find_all` (addresses in free text).
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache

from .grammar import token

_parser_log = logging.getLogger("flanker.addresslib._parser.parser")
_level = _parser_log.level
_parser_log.setLevel(logging.ERROR)  # its grammar build warns about unused symbols on import
with warnings.catch_warnings():
    # flanker imports cgi/imghdr, deprecated on 3.11/3.12 (back-ports declared for >= 3.13)
    warnings.simplefilter("ignore", DeprecationWarning)
    from flanker.addresslib import address as _flanker
_parser_log.setLevel(_level)
# flanker's lexer logs every string it cannot tokenise (message text) as a WARNING, which lands on
# stderr beside the CLI's own error lines: a parse that falls back is not worth a log line
logging.getLogger("flanker.addresslib._parser.lexer").setLevel(logging.ERROR)

# A deliberately bounded address shape for scanning free text (no nested quantifiers).
ADDRESS_IN_TEXT = re.compile(
    r"(?<![\w.+=-])([\w.!#$%&'*+/=?^`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?){1,8})(?![\w-])"
)
# A plain dot-atom address over a host name (letters, digits, ``_+=-``; an alphabetic TLD):
# flanker accepts every one unchanged (tests/test_addresses_plain.py), so it is not asked.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+=-]{1,64}(?:\.[A-Za-z0-9_+=-]{1,64}){0,8}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,63}"
)
_WRAPPERS = " \t\r\n<>\"'();,[]:"
_ANGLED = re.compile(r"<(" + token() + r")>")
_SYSTEM_LOCALS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon", "mailerdaemon"})


def _unwrapped(candidate: str | None) -> str | None:
    """The address part of a candidate: without its DSN address type (``rfc822;``), display name
    and angle brackets, wrappers and ``mailto:``; None when empty or too long to be one (512)."""
    if not candidate:
        return None
    text = candidate.strip()
    if len(text) > 512:
        return None
    if ";" in text and text.split(";", 1)[0].strip().lower() in ("rfc822", "utf-8", "x400", "unknown"):
        text = text.split(";", 1)[1]
    if "<" in text:  # "Name" <addr>: the angle brackets, before the wrappers are stripped
        m = _ANGLED.search(text)
        if m:
            text = m.group(1)
    text = text.strip(_WRAPPERS).rstrip(".")
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text


@lru_cache(maxsize=4096)
def normalize(candidate: str | None) -> str | None:
    """A clean, validated address (``local@domain``, domain lower-cased) from one candidate
    string such as ``<Alice@Example.COM>``, ``rfc822;alice@example.com`` or ``"A" <a@b.example>``;
    ``None`` when it holds no valid address."""
    text = _unwrapped(candidate)
    if text is None or "@" not in text:
        return None
    local, _, domain = text.rpartition("@")
    if not local or not domain:
        return None
    if len(local) <= 64 and len(domain) <= 253 and PLAIN_ADDRESS.fullmatch(text):
        return f"{local}@{domain.lower()}"  # what flanker gives for a plain address, ~15x sooner
    parsed = _flanker.parse(text, addr_spec_only=True)
    if parsed is None:
        # flanker refuses some real-world locals (leading dots, 8-bit); accept a plain shape
        if not re.fullmatch(r"[^\s@<>()\[\],;:\"]{1,64}", local) or not re.fullmatch(
            r"[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{1,63}", domain
        ):
            return None
        return f"{local}@{domain.lower()}"
    addr = str(parsed.address)
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"


def find_all(text: str) -> list[str]:
    """Every valid address in free text, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for m in ADDRESS_IN_TEXT.finditer(text):
        addr = normalize(m.group(1))
        if addr and addr.lower() not in {a.lower() for a in seen}:
            seen[addr] = None
    return list(seen)


def is_system(addr: str) -> bool:
    """True for MAILER-DAEMON / postmaster style addresses that never are a failed recipient."""
    return addr.split("@", 1)[0].lower() in _SYSTEM_LOCALS


_STORE_CHANNELS = ("ims-ms-daemon", "sims-ms-daemon")
"""Host names of Sun/Oracle Messaging Server's message-store channel (``ims-ms``; SIMS before
it), as its documentation names them: ``bob@ims-ms-daemon`` is the store's own name for a
mailbox, which no sender wrote and no one can mail to."""


def internet_recipient(final: str | None, original: str | None) -> str | None:
    """The failed recipient of a report naming both: the final one (as Sisimai reads RFC 3464),
    unless it is a message-store channel's address (:data:`_STORE_CHANNELS`) and the original
    recipient is an Internet address."""
    if final and original and final.rpartition("@")[2].lower() in _STORE_CHANNELS and "." in original:
        return original
    return final or original


def same(a: str | None, b: str | None) -> bool:
    """Case-insensitive address equality."""
    return bool(a) and bool(b) and str(a).lower() == str(b).lower()


# VERP: ``<prefix><sep><local>=<domain>@<sender domain>``; the prefix is a word such as
# "bounces" (optionally after a list name: "list-bounces"), the separator "+", "-", "." or "_".
_VERP = re.compile(r"^([^@=\s]{1,64})=([A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63})@", re.I)
_VERP_PREFIX = re.compile(r"^(?:[A-Za-z0-9]{1,32}[-_.])?(?:bounces?|returns?|verp|errors?|owner|mailer|rtn)[-_.]", re.I)


def verp_recipient(address: str | None) -> str | None:
    """The recipient encoded in a VERP return address, else None:
    ``bounces+alice=example.com@sender.example`` -> ``alice@example.com`` (also with ``-``,
    ``.`` or ``_`` after a bounce prefix such as ``bounce-``, ``list-bounces.``, ``return_``)."""
    if not address:
        return None
    m = _VERP.match(address.strip().strip("<>"))
    if not m:
        return None
    head, domain = m.group(1), m.group(2)
    if "+" in head:
        local = head.split("+", 1)[1]
    elif prefix := _VERP_PREFIX.match(head):
        local = head[prefix.end() :]
    elif "-" in head:
        local = head.rsplit("-", 1)[1]
    else:
        return None
    return normalize(f"{local}@{domain}") if local else None
