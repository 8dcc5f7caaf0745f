"""Google Workspace and current Gmail: the ``** Address not found **`` layout.

A headline between double asterisks (``** Address not found **``, ``** Message not delivered **``,
``** Delivery incomplete **``), a sentence that names the recipient (``Your message wasn't
delivered to ADDR because ...``) and the remote reply after ``The response (from the remote
server) was:``. A DSN part, when present, gives the per-recipient fields; this decoder adds the
reply text, the SMTP command, the remote host and, when the response is one of Google's own
sentences that states it (``data/decoder_reasons.toml`` [gmail]), the reason. Without a named recipient
(a ``Send mail as`` failure) the failed recipients come from ``X-Failed-Recipients``.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ..phrases import cut_original
from ._shared import blocks, markers, smtp
from ._shared.gate import Gate

NAME = "googleworkspace"

_SENDER_DOMAINS = ("@googlemail.com", "@google.com", "@gmail.com")
_HEADLINE = re.compile(r"(?m)^[ \t]{0,4}\*\* [^*\n]{3,60} \*\*[ \t]*$")
_NAMED = re.compile(
    r"(?:wasn't delivered to|was not delivered to|problem delivering your message to|couldn't be delivered to)"
    r"[ \t\n]{1,4}<?(" + address(r"[^\s<>@]", lazy=True) + r")>?[.,]?(?=\s)",
    re.I,
)
_RESPONSE = re.compile(r"(?im)^[ \t]{0,4}the response(?: from the remote server)? was:[ \t]*$")
_MAX_RESPONSE_LINES = 12
_MAX_EXPLANATION = 600

GATE = Gate(sender=_SENDER_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """A Google delivery report whose text opens with a ``** ... **`` headline."""
    if "mailer-daemon@" not in mail.sender or not any(d in mail.sender for d in _SENDER_DOMAINS):
        return False
    return bool(_HEADLINE.search(mail.body[:1000]))


def _response(text: str) -> str:
    m = _RESPONSE.search(text)
    if not m:
        return ""
    out: list[str] = []
    for line in text[m.end() :].split("\n")[: _MAX_RESPONSE_LINES + 1]:
        if not line.strip():
            if out:
                break
            continue
        out.append(line.strip())
    return " ".join(out)


def _named(mail: Mail, body: str) -> tuple[list[str], str]:
    """The recipients the text names, else those of ``X-Failed-Recipients``, and which it was."""
    named = [m.group(1) for m in _NAMED.finditer(" ".join(body.split()))]
    if named:
        return named, "text"
    return [a for v in mail.header_all("x-failed-recipients") for a in addresses.find_all(v)], "x-failed-recipients"


def decode(mail: Mail) -> list[Facts]:
    """One fact per recipient named in the text (else per ``X-Failed-Recipients`` address)."""
    text = cut_original(mail.report_text)
    headline = _HEADLINE.search(text)
    if headline is None:
        return []
    body = text[headline.end() :]
    response = _response(body)
    said = _RESPONSE.search(body)
    explanation = " ".join(body[: said.start() if said else _MAX_EXPLANATION].split())
    diagnostic = response or explanation
    named, source = _named(mail, body)
    reasons = markers.reason_table("gmail")
    out: list[Facts] = []
    for candidate in named:
        addr = addresses.normalize(candidate)
        if not addr or addresses.is_system(addr) or any(f.recipient == addr for f in out):
            continue
        facts = blocks.facts(addr, diagnostic, source=source, read=True)
        facts.smtp_command = facts.smtp_command or smtp.command_phrase(explanation)
        # the headline sentence is Google's guess; a remote response, when there is one, decides
        facts.reason = reasons.find(response) if response else reasons.find(explanation)
        if "incomplete" in headline.group(0).lower():
            facts.action = "delayed"
        out.append(facts)
    return out
