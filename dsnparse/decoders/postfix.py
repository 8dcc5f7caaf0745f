"""Postfix: "This is the mail system at host ..." (older: "This is the Postfix program at host").

Each failed recipient is one paragraph of the notification, continuation lines indented::

    <alice@example.net> (expanded from <team@example.org>): host
        mx.example.net[192.0.2.1] said: 550 5.1.1 <alice@example.net>: Recipient
        address rejected: User unknown (in reply to RCPT TO command)

The decoder reads the reply, the command it answered and the remote host from these paragraphs
(the DSN part, when present, gives the rest). It also reads the SMTP session transcript that
"Postfix SMTP server: errors from ..." notices carry (``In:``/``Out:`` lines).
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..grammar import address, token
from ..message import Mail
from ..standard.dsn import join_reply
from ._shared import blocks, smtp

NAME = "postfix"

_INTRO = re.compile(r"(?im)^this is the (?:mail system|postfix program) at host ")
# The same sentence after a newline: searched in "\n" + text it finds what _INTRO finds (a line
# start is the start or follows a newline), but its leading "\n" gives the search a literal to
# scan for, several times faster than trying every position as "^" does.
_INTRO_LINE = re.compile(r"(?i)\nthis is the (?:mail system|postfix program) at host ")
_INTRO_HOST = re.compile(r"(?im)^this is the (?:mail system|postfix program) at host ([A-Za-z0-9.-]{1,253}?)\.?$")
_SUBJECTS = (
    "undelivered mail returned to sender", "delayed mail (still being retried)", "postfix smtp server: errors from",
    "undeliverable mail returned to sender",
)
# One recipient paragraph, joined: "<rcpt> (expanded from <alias>): text".
_ENTRY = re.compile(
    r"<(" + address(r"[^<>\s]") + r")>"
    r"(?:[ \t]{1,8}\(expanded[ \t]{1,8}from[ \t]{1,8}<(" + token() + r")>\))?:[ \t]{0,8}(.{1,4000})"
)
_ENTRY_START = re.compile(r"<" + address(r"[^<>\s]") + r">(?::|[ \t]{1,8}\(expanded)")
_IN_REPLY = re.compile(r"(?i)\s{0,4}\(in reply to [^()]{1,60}\)\s{0,4}$")
_SAID = re.compile(r"(?i)\bsaid:\s{1,8}")
# Transcript lines of the Postfix SMTP server: " In:  RCPT TO:<a@b>" (the command it received,
# the sent side of the session), " Out: 550 5.1.1 ..." (its reply).
_SENT = re.compile(r"^ In:[ \t]{1,4}(.{0,2000})$")
_RECEIVED = re.compile(r"^ Out:[ \t]{1,4}(.{0,2000})$")
_RCPT = re.compile(r"(?i)^rcpt to:[ \t]{0,4}<(" + token() + r")>")


def matches(mail: Mail) -> bool:
    """Postfix's opening sentence or one of its notice subjects, or (for translated notices) a
    MAILER-DAEMON message that Postfix itself wrote (its own ``Received: by host (Postfix)``)."""
    if _INTRO_LINE.search("\n" + mail.body[:600]):
        return True
    if mail.subject.lower().lstrip().startswith(_SUBJECTS):
        return True
    if not mail.sender.split("@", 1)[0].lstrip("<\"").endswith("mailer-daemon"):
        return False
    first = mail.header_all("received")[:1]
    return bool(first) and first[0].lower().startswith("by ") and "(postfix)" in first[0].lower()


def _paragraphs(text: str) -> list[str]:
    """Lines beginning with ``<`` joined with their indented continuation lines."""
    out: list[list[str]] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        if _ENTRY_START.match(line) or (line.startswith("<") and current is None):
            current = [line]
            out.append(current)
        elif current is not None and line[:1] in (" ", "\t", "<") and line.strip():
            current.append(line)
        else:
            current = None
    return [" ".join(s.strip() for s in lines) for lines in out]  # joined once: linear in the text


def _entry_facts(paragraph: str) -> Facts | None:
    m = _ENTRY.match(paragraph)
    if not m:
        return None
    recipient = addresses.normalize(m.group(1))
    if recipient is None:
        return None
    text = m.group(3).strip()
    command = smtp.command(text)
    said = _SAID.search(text)
    diag = _IN_REPLY.sub("", text[said.end() :] if said else text).strip()
    facts = Facts(
        recipient=recipient,
        original_recipient=addresses.normalize(m.group(2)) if m.group(2) else None,
        diagnostic=smtp.reply(diag) or diag or None,
        remote_mta=smtp.remote_host(text[: said.start()] if said else text),
        smtp_command=command,
        recipient_source="report",
    )
    return smtp.fill_codes(facts, facts.diagnostic)


def _refused(command: str, pending: str, accepted: list[str], reply: str) -> list[Facts]:
    """Facts of a 4xx/5xx reply to ``command``: the recipient just sent for RCPT, every accepted
    recipient for DATA/BDAT, else one fact without recipient."""
    names = [pending] if command == "RCPT" and pending else accepted if command in ("DATA", "BDAT") else []
    name = "RCPT" if command == "RCPT" else "DATA" if command in ("DATA", "BDAT") else command or None
    out = []
    for addr in names or [""]:
        facts = Facts(recipient=addr or None, diagnostic=reply, smtp_command=name,
                      recipient_source="report" if addr else None)
        out.append(smtp.fill_codes(facts, reply))
    return out


def _transcript(text: str) -> list[Facts]:
    """Recipients refused (or whose message was refused) in an In:/Out: session transcript."""
    accepted: list[str] = []
    command, pending = "", ""
    out: list[Facts] = []
    for turn in smtp.turns(text.split("\n"), sent=_SENT, received=_RECEIVED):
        # a turn on one line as written; one of several lines joined (a multi-line reply unfolded)
        value = join_reply(turn.text) if "\n" in turn.text else turn.text
        if turn.kind == "sent":
            command = value.split(" ", 1)[0].upper().rstrip(":")
            rcpt = _RCPT.match(value)
            pending = (addresses.normalize(rcpt.group(1)) or "") if rcpt else ""
            continue
        code = value[:3] if turn.kind == "received" else ""
        if code.startswith("2") and pending:
            accepted.append(pending)
        if code[:1] in ("4", "5"):
            out.extend(_refused(command, pending, accepted, value))
    return out


def _reporting_host(text: str) -> str | None:
    m = _INTRO_HOST.search(text)
    return m.group(1).lower() if m else None


def _quoted_report(mail: Mail) -> list[Facts]:
    """The facts of a Postfix report quoted by the Postfix report it received, read from the
    inner one's paragraphs (reported by the inner report's host), else none."""
    rest = mail.body[len(mail.report_text) :]
    intro = _INTRO.search(rest)
    if not intro:
        return []
    inner = rest[intro.end() :]
    found = [f for p in _paragraphs(inner) if (f := _entry_facts(p)) is not None]
    if not found:
        return []
    host = _reporting_host(rest[intro.start() : intro.start() + 300])
    for f in found:
        f.reporting_mta = host
    return blocks.dated(mail, blocks.with_inline_dsn(mail, found, inner))


def decode(mail: Mail) -> list[Facts]:
    """Facts from the recipient paragraphs, else from a quoted Postfix report's, else from an SMTP
    session transcript."""
    found = [f for p in _paragraphs(mail.report_text) if (f := _entry_facts(p)) is not None]
    if not found:
        quoted = _quoted_report(mail)
        if quoted:
            return quoted
    if not found and "transcript of session follows" in mail.report_text[:300].lower():
        found = _transcript(mail.report_text)
    host = _reporting_host(mail.report_text[:600])
    for f in found:
        f.reporting_mta = host
    return blocks.dated(mail, blocks.with_inline_dsn(mail, found))
