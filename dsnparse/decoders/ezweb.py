"""au by KDDI mobile mail (ezweb.ne.jp): "Mail System Error - Returned Mail" from
Postmaster@ezweb.ne.jp, with the failed addresses in angle brackets next to a fixed sentence
(English, often after a Japanese one) and sometimes the SMTP transcript::

    The user(s) account is disabled.

    <bob@ezweb.ne.jp>

A rejection that quotes no SMTP reply comes from the handset's own reception filter.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import PATH_ADDRESS
from ..message import Mail
from ._shared import blocks, markers, smtp, views

NAME = "ezweb"

_SENTENCE = re.compile(r"[A-Za-z\u3000-\u9fff]")
_ADDRESS = re.compile(r"^[ \t]{0,8}(?:recipient:[ \t]{0,4})?<(" + PATH_ADDRESS + r")>[ \t]{0,8}$", re.I)


def matches(mail: Mail) -> bool:
    """From Postmaster@ezweb.ne.jp (any host of it), with its subject or one of its sentences."""
    addr = addresses.normalize(mail.sender) or ""
    if not addr.endswith("ezweb.ne.jp") or addr.split("@", 1)[0] not in ("postmaster", "mailer-daemon"):
        return False
    return markers.marked(NAME, mail.subject + "\n" + views.head(mail, 1500))


def _bracketed(rows: list[str]) -> list[str]:
    """The bracketed addresses of the notice, each once, in order."""
    found: list[str] = []
    for row in rows:
        m = _ADDRESS.match(row)
        addr = addresses.normalize(m.group(1)) if m else None
        if addr and addr.lower() not in {a.lower() for a in found}:
            found.append(addr)
    return found


def decode(mail: Mail) -> list[Facts]:
    """The bracketed addresses (or, when the notice lists none, one fact for the fall-back
    recipient), with the transcript's reply or the notice's sentence."""
    rows = views.lines(mail)
    text = " ".join(r.strip() for r in rows if _SENTENCE.search(r) and not _ADDRESS.match(r))
    command, reply = smtp.transcript(rows)
    found = _bracketed(rows)
    if not found and not text:
        return []
    out: list[Facts] = []
    targets: list[str | None] = [*found] or [None]
    for addr in targets:
        f = blocks.facts(addr, reply or text or None, smtp_command=command)
        if reply is None:
            f.reason = markers.reason_table(NAME).first(text)
        out.append(f)
    return out
