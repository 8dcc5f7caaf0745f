"""Shared readers for the SMTP wording that MTA reports quote: the command a reply answered, the
remote host named, the reply itself, and per-MTA phrases that name a reason outright.

Not a decoder (it has no ``matches``/``decode``): the postfix, sendmail, exim, OpenSMTPD and
DragonFly decoders use it so that each of them stays a format reader only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import any_of, load_toml
from ..standard.dsn import iso_date, join_reply, read_inline

# "... in reply to RCPT TO command", "after MAIL FROM:<a@b>", ">>> DATA", "after end of data".
_COMMAND_WORDS = (
    ("rcpt to", "RCPT"), ("rcpt", "RCPT"), ("mail from", "MAIL"), ("mail", "MAIL"),
    ("end of data", "DATA"), ("data", "DATA"), ("sending data block", "DATA"), ("message body", "DATA"),
    ("initial connection", "CONN"), ("connect", "CONN"), ("greeting", "CONN"), ("banner", "CONN"),
    ("ehlo", "EHLO"), ("helo", "HELO"), ("starttls", "STARTTLS"), ("auth", "AUTH"), ("quit", "QUIT"),
    ("bdat", "DATA"), ("xforward", "XFORWARD"),
)
_COMMAND = re.compile(
    r"(?i)(?:\bin reply to|\bafter(?: pipelined)?|^>>>|\bwhile sending|\bwhile receiving the initial server|"
    r"\bwhile performing the)"
    r"[ \t]{1,4}(rcpt to|rcpt|mail from|mail|end of data|data|sending data block|message body|initial connection|"
    r"connect|greeting|banner|ehlo|helo|starttls|auth|quit|bdat|xforward)\b",
    re.M,
)
_REFUSED_GREETING = "refused to talk to me"
# "host mx.example.net[192.0.2.1] said:", "host mx.example.net [192.0.2.1]:", "connect to mx[...]".
_REMOTE = re.compile(
    r"(?i)(?:\bhost|\bconnect to|\btalking to|\bfrom remote host|\bremote host)[ \t:]{1,4}"
    r"([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])[ \t]{0,2}(?:\[|:|\(|$)",
    re.M,
)
_IP_BRACKETS = re.compile(r"\[(\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]{2,45})\]")
# An SMTP reply at the start of a line, or after "host x [ip]: " / "said: ".
_REPLY_START = re.compile(r"(?m)(?:^|\]:[ \t]{1,4}|\bsaid:[ \t]{1,4})([2-5][0-5]\d(?:[ -]|$))")


def command(text: str | None) -> str | None:
    """The SMTP command a reply answered, from wording like ``in reply to RCPT TO command``,
    ``after MAIL FROM:`` or a ``>>> DATA`` transcript line (the last one named wins); ``CONN``
    for a greeting refused (Postfix's "refused to talk to me")."""
    if not text:
        return None
    found = None
    for m in _COMMAND.finditer(text):
        found = m.group(1).lower()
    if found is None:
        return "CONN" if _REFUSED_GREETING in text.lower() else None
    return dict(_COMMAND_WORDS)[found]


def remote_host(text: str | None) -> str | None:
    """The remote host a report names (``host mx.example.net[192.0.2.1] said``), else None."""
    if not text:
        return None
    m = _REMOTE.search(text)
    if m and "." in m.group(1):
        return m.group(1).lower()
    m = _IP_BRACKETS.search(text)
    return m.group(1) if m else None


def reply(text: str) -> str | None:
    """The SMTP reply quoted in a text (from its reply code to the end), multi-line replies
    joined into one line; None when the text quotes no reply."""
    m = _REPLY_START.search(text)
    if not m:
        return None
    return join_reply(text[m.start(1) :])


def fill_codes(facts: Facts, *texts: str | None) -> Facts:
    """Set status and reply code from the first text that has them (valid codes only)."""
    for text in texts:
        if facts.status is None:
            facts.status = find_status(text)
        if facts.reply_code is None:
            facts.reply_code = find_reply_code(text)
    return facts


def senders(mail: Mail) -> set[str]:
    """Lower-cased addresses that are never failed recipients: the bounce's addressee (the
    original sender), its own From and Return-Path, and the returned message's From."""
    out: set[str] = set()
    for value in (mail.header("to"), mail.header("from"), mail.header("return-path"), mail.original_header("from")):
        out.update(a.lower() for a in addresses.find_all(value))
    return out


def dated(mail: Mail, found: list[Facts]) -> list[Facts]:
    """The report's own Date as the date of facts that carry none (as DSN facts do)."""
    date = iso_date(mail.header("date"))
    for f in found:
        f.date = f.date or date
    return found


def with_inline_dsn(mail: Mail, found: list[Facts], text: str | None = None) -> list[Facts]:
    """A decoder's facts completed by DSN fields written into the text (``mail.report_text``
    unless given), for reports whose delivery-status part lost its MIME structure or that quote
    another report (the pipeline reads real DSN parts itself)."""
    if mail.dsn_texts:
        return found
    inline = read_inline(mail.report_text if text is None else text, mail)
    if not inline:
        return found
    by_rcpt = {f.recipient.lower(): f for f in found if f.recipient}
    for fact in inline:
        extra = by_rcpt.pop(fact.recipient.lower(), None) if fact.recipient else None
        if extra is not None:
            fact.fill(extra)
    return inline + [f for f in found if f.recipient and f.recipient.lower() in by_rcpt]


@lru_cache(maxsize=1)
def _mta_reasons() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    data = load_toml("mta_reasons.toml")
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for mta, table in data.items():
        if isinstance(table, dict):
            out[mta] = [(str(reason), any_of([str(p) for p in phrases])) for reason, phrases in table.items()
                        if isinstance(phrases, list)]
    return out


def mta_reason(mta: str, text: str | None) -> str | None:
    """The reason an MTA's own wording names outright (``data/mta_reasons.toml``), else None.
    Only for the MTA's own sentences, never a remote server's reply."""
    if not text:
        return None
    for reason, matcher in _mta_reasons().get(mta, []):
        if matcher.search(text):
            return reason
    return None
