"""The standard status code of a failure whose message carries none (``data/inferred_status.csv``).

A registered code is chosen for the decided reason (reasons.md 7.3; never a private code such as
Sisimai's ``5.0.9xx`` / ``5.9.xxx``), in class 4 or 5 by the failure's finality (reasons.md 7.1):

1. the class of an SMTP reply code in the message, else the words ``temporar`` / ``persistent``
   (class 4) or ``permanent`` (class 5) in the diagnostic;
2. class 4 for a delay (still being retried), and for a message given up after retrying when
   RFC 3463 calls the reason's code a persistent transient condition only (``transient_only``:
   X.2.2 mailbox full, X.3.1 system full, X.4.5 congestion);
3. class 5 otherwise: a final failure.

The record carries the code in ``bounce_code`` with the flag ``status:inferred``; its ``status``
stays what the message says (null).
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources

from ..facts import Facts

FLAG = "status:inferred"
"""The record flag of an inferred status."""

_TEMPORARY = re.compile(r"(?i)\btemporar|\bpersistent")
_PERMANENT = re.compile(r"(?i)\bpermanent")


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, str, bool]]:
    """Reason -> (permanent code, temporary code, transient only), loaded once."""
    text = resources.files("dsnparse").joinpath("data/inferred_status.csv").read_text(encoding="utf-8")
    return {
        row["reason"]: (row["permanent"], row["temporary"], row["transient_only"] == "yes")
        for row in csv.DictReader(io.StringIO(text))
    }


def temporary(facts: Facts, *, delay: bool, retried: bool) -> bool:
    """True when a code inferred for these facts belongs in class 4 (see the module docstring)."""
    if facts.reply_code and facts.reply_code[0] in "45":
        return facts.reply_code[0] == "4"
    text = facts.diagnostic or ""
    if _TEMPORARY.search(text):
        return True
    if _PERMANENT.search(text):
        return False
    return delay or retried


def infer(reason: str, facts: Facts, *, delay: bool, retried: bool) -> str | None:
    """The standard code for ``reason`` in the class the facts call for, else None (a reason with
    no failure code: delivered, feedback, vacation)."""
    codes = table().get(reason)
    if codes is None:
        return None
    return codes[1] if temporary(facts, delay=delay, retried=retried and codes[2]) else codes[0]
