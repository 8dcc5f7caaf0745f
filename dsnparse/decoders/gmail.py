"""Gmail (consumer, the classic text layout): ``Delivery to the following recipient failed
permanently`` / ``has been delayed``, the indented recipients, then ``Technical details of
permanent failure:`` with Google's explanation and the remote server's reply.

The reply after ``The error that the other server returned was:`` gives status and reply code;
``rejected by the server for the recipient domain D by HOST`` names the remote MTA. Sentences
Gmail writes itself that state the reason (``data/decoder_reasons.toml`` [gmail]) set ``Facts.reason``.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ..phrases import cut_original
from ._shared import blocks, markers
from ._shared.gate import Gate

NAME = "gmail"

_SENDER_DOMAINS = ("@googlemail.com", "@google.com", "@gmail.com")
_INTRO = re.compile(r"(?im)^[ \t]{0,4}delivery to the following recipients? (?:failed permanently|has been delayed"
                    r"|failed|was delayed)[^\n]{0,40}$")
_DETAILS = re.compile(r"(?im)^[ \t]{0,4}technical details of (?:permanent|temporary) failure:?")
_RECIPIENT = re.compile(r"[ \t]{1,12}(" + address(r"[^\s@]") + r")[ \t]*$")
_RETURNED = re.compile(r"the error that the other server returned was:", re.I)
_REJECTED_BY = re.compile(r"for the recipient domain [A-Za-z0-9.-]{1,255} by ([A-Za-z0-9][A-Za-z0-9.-]{0,253})")

GATE = Gate(sender=_SENDER_DOMAINS)
"""What :func:`matches` cannot be true without."""


def matches(mail: Mail) -> bool:
    """A Mail Delivery Subsystem report from Google in the classic text layout."""
    sender = mail.sender
    if "mailer-daemon@" not in sender or not any(d in sender for d in _SENDER_DOMAINS):
        return False
    return bool(_INTRO.search(mail.body[:4000]))


def decode(mail: Mail) -> list[Facts]:
    """One fact per listed recipient, with the technical details as diagnostic."""
    text = cut_original(mail.report_text)
    intro = _INTRO.search(text)
    if intro is None:
        return []
    details = _DETAILS.search(text, intro.end())
    listing = text[intro.end() : details.start() if details else len(text)]
    explanation = text[details.end() :] if details else ""
    recipients = [m.group(1) for line in listing.split("\n") if (m := _RECIPIENT.match(line))]
    out: list[Facts] = []
    reasons = markers.reason_table("gmail")
    for candidate in recipients:
        addr = addresses.normalize(candidate)
        if not addr or addresses.is_system(addr) or any(f.recipient == addr for f in out):
            continue
        returned = _RETURNED.search(explanation)
        facts = blocks.facts(addr, explanation[returned.end() :] if returned else explanation, read=True)
        by = _REJECTED_BY.search(" ".join(explanation.split()))
        facts.remote_mta = by.group(1).rstrip(".").lower() if by else facts.remote_mta
        facts.reason = reasons.find(explanation)
        if "delayed" in intro.group(0).lower():
            facts.action = "delayed"
        out.append(facts)
    return out
