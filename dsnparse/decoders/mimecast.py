"""Mimecast: "An email that you attempted to send to the following address could not be
delivered: -- rcpt", then "The problem appears to be : -- <problem>" and
"Additional information follows : -- <reply>". The problem line states the reason.
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "mimecast"

_LEAD = "could not be delivered:"
_PROBLEM = "the problem appears to be"
_MORE = "additional information follows"


def matches(mail: Mail) -> bool:
    """A Mimecast header on the bounce and its opening sentence."""
    if "following address could not be d" not in views.head(mail, 800, body=True).replace("=\n", ""):
        return False
    names = mail.header_names
    return "x-mc-system" in names or any(n.startswith("x-mimecast") for n in names)


def _sections(text: str) -> dict[str, str]:
    """Each "-- " paragraph keyed by the lower-cased sentence that introduces it."""
    out: dict[str, str] = {}
    intro = ""
    for para in text.split("\n\n"):
        lines = para.strip().split("\n")
        if any(ln.startswith("-- ") for ln in lines[1:]):
            first = next(i for i, ln in enumerate(lines) if ln.startswith("-- "))
            intro = " ".join(lines[:first]).lower()
            out[intro] = " ".join(ln.removeprefix("-- ").strip() for ln in lines[first:])
    return out


def decode(mail: Mail) -> list[Facts]:
    """The undelivered recipient with the problem and the additional information."""
    sections = _sections(mail.report_text)
    rcpt_text = next((v for k, v in sections.items() if k.endswith(_LEAD)), "")
    problem = next((v for k, v in sections.items() if k.startswith(_PROBLEM)), "")
    more = next((v for k, v in sections.items() if k.startswith(_MORE)), "")
    diagnostic = "; ".join(p for p in (more, problem) if p)
    reason = markers.reason_table(NAME).first(problem)
    found = addresses.find_all(rcpt_text)
    return blocks.unique(
        [blocks.facts(addresses.normalize(r), diagnostic, reason=reason, reasons=NAME) for r in found]
    )
