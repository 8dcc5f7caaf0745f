"""A person forwarding or quoting a bounce: the message is not a bounce itself.

Only a message a person wrote counts: not from a mail daemon and not machine-made (no null
Return-Path, no Auto-Submitted, no report, no auto-responder header: a vacation reply titled
"Re: ..." is an auto-reply, not a forward). Then either signal: a reply/forward subject prefix
(``Fwd:``, ``FW:``, ``WG:``...) or a client's forward marker ("---------- Forwarded message",
"Begin forwarded message:", "-----Original Message-----"...) in its text. A bounce attached as
``message/rfc822`` is never read as the message's own parts in the first place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..message import Mail
from ..phrases import any_of, lookalike_rows
from ..phrases import tables as phrase_tables
from .autoreply import has_autoreply_headers, is_challenge

_HEAD_CHARS = 4000
"""How far into the text a forward marker is looked for."""


@lru_cache(maxsize=1)
def _markers() -> re.Pattern[str]:
    return any_of(lookalike_rows().forward_markers)


def _automatic(mail: Mail) -> bool:
    """Sent by software: a null Return-Path, Auto-Submitted other than ``no``, a report type, or
    a header only automatic responders set."""
    if mail.raw("return-path") is not None and mail.header("return-path").strip("<> \t") == "":
        return True
    submitted = mail.header("auto-submitted").strip().lower()
    if bool(submitted and submitted != "no") or bool(mail.report_type) or has_autoreply_headers(mail):
        return True
    return is_challenge(mail)  # a challenge request answering "Re: <subject>" is no forward


def is_forward(mail: Mail) -> bool:
    """True when a person forwards or quotes a bounce (see the module docstring)."""
    tables = phrase_tables()
    if mail.from_daemon or _automatic(mail):
        return False
    if mail.subject.lower().lstrip().startswith(tables.forward_prefixes):
        return True
    return bool(_markers().search(mail.body[:_HEAD_CHARS]))
