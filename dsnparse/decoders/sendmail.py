"""Sendmail (V8, and the older V5 reports without a delivery-status part).

The notification lists the failed addresses and quotes the SMTP session::

       ----- The following addresses had permanent fatal errors -----
    <alice@example.net>
        (reason: 550 5.1.1 User unknown)

       ----- Transcript of session follows -----
    ... while talking to mx.example.net.:
    >>> RCPT To:<alice@example.net>
    <<< 550 5.1.1 <alice@example.net>... User unknown
    550 5.1.1 <alice@example.net>... User unknown

``>>>`` is the command sent, ``<<<`` the remote reply, and a line ``NNN <addr>... text`` the
verdict sendmail reached for one address. V5 reports have only the transcript
(``While talking to host:``) and sometimes no address at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import addresses
from ..facts import Facts
from ..grammar import address
from ..message import Mail
from ..standard.dsn import join_reply
from ._shared import blocks, markers, smtp, views

NAME = "sendmail"

_SUBJECTS = (
    "returned mail:", "warning: could not send message for past", "postmaster notify:", "postmaster warning:",
)
# "---" spelled out (rather than -{3,9}) gives the search a literal prefix to scan for, which
# makes it several times faster on text without it; it matches what -{3,9} matches.
_MARKER = re.compile(
    r"(?i)----{0,6} ?(?:transcript of session follows|the following addresses had permanent fatal errors)"
)
_LIST = re.compile(
    r"(?i)^ {0,8}-{3,9} ?the following addresses had (?:permanent fatal errors|transient non-fatal errors|"
    r"delivery problems)"
)
_LIST_ENTRY = re.compile(r"^<?(" + address(r"[^\s<>()]", lazy=True) + r")>?(?:[ \t]{1,4}\([^()]{1,80}\))?\s{0,4}$")
_LIST_REASON = re.compile(r"(?i)^\s{1,12}\(reason:\s{0,4}(.{1,2000}?)\)?$")
_TALKING = re.compile(r"(?i)^(?:\.\.\. )?while talking to ([A-Za-z0-9.\[\]:-]{1,255}?)\.?:\s{0,4}$")
_VERDICT = re.compile(
    r"^(?:([245]\d\d)(?: [245]\.\d{1,3}\.\d{1,3})? )?<?(" + address(r"[^\s<>]", lazy=True) + r")>?\.\.\. ?(.{0,2000})$"
)
_RCPT = re.compile(r"(?i)^rcpt to:\s{0,4}<?(" + address(r"[^\s<>]", lazy=True) + r")>?(?:\s|$)")
_HOST_VERDICT = re.compile(r"^[245]\d\d ([A-Za-z0-9.-]{1,255}) \([a-z]{1,20}\)\.\.\. ")

# Transcript lines: ">>> RCPT To:<a@b>" (sent), "<<< 550 5.1.1 ..." (received).
_SENT = re.compile(r"^>>> (.*)")
_RECEIVED = re.compile(r"^<<< (.*)")
_BARE_VERDICT = re.compile(r"^[245]\d\d[ -]")


@dataclass(slots=True)
class _Session:
    """What the transcript says about one address."""

    host: str | None = None
    command: str | None = None
    reply: str | None = None
    verdict: str | None = None


def matches(mail: Mail) -> bool:
    """Sendmail's notice subjects or its section markers in the first lines."""
    if mail.subject.lower().lstrip().startswith(_SUBJECTS):
        return True
    return bool(_MARKER.search(mail.body[:1500]))


def _listed(lines: list[str]) -> dict[str, str | None]:
    """Addresses of the "following addresses had ... errors" list, with their reason text."""
    out: dict[str, str | None] = {}
    inside = False
    last: str | None = None
    for line in lines:
        if _LIST.match(line):
            inside, last = True, None
            continue
        if not inside:
            continue
        if not line.strip() or line.lstrip().startswith("-----"):
            inside = False
            continue
        entry = _LIST_ENTRY.match(line)
        if entry:
            last = addresses.normalize(entry.group(1))
            if last:
                out.setdefault(last, None)
            continue
        reason = _LIST_REASON.match(line)
        if reason and last:
            out[last] = reason.group(1).strip()
    return out


class _Transcript:
    """What a sendmail session transcript says, one turn at a time (:meth:`read`, turns from
    :func:`smtp.turns`): the host talked to, the command sent, the last reply; per-address sessions
    and every failed remote reply in order."""

    def __init__(self) -> None:
        self.per: dict[str, _Session] = {}
        self.failures: list[_Session] = []
        self.host: str | None = None
        self.command: str | None = None
        self.reply: str | None = None
        self.rcpt: str | None = None

    def read(self, turn: smtp.Turn) -> None:
        """Take one turn: a host named, a command sent, a reply, a host's or an address's verdict."""
        if turn.kind == "host":
            self.host, self.command, self.reply, self.rcpt = turn.text, None, None, None
        elif turn.kind == "sent":
            self.command, self.reply = smtp.command(turn.line), None
            m = _RCPT.match(turn.text)
            self.rcpt = addresses.normalize(m.group(1)) if m else None
        elif turn.kind == "received":
            self._reply(turn.text)
        elif host_verdict := _HOST_VERDICT.match(turn.line):
            if host_verdict.group(1).lower() != self.host:
                self.host = self.command = self.reply = self.rcpt = None
        else:
            self._verdict_line(turn.line)

    def _reply(self, text: str) -> None:
        self.reply = text
        if text[:1] not in ("4", "5"):
            return
        session = _Session(self.host, self.command, join_reply(text))
        self.failures.append(session)
        if self.rcpt and self.command == "RCPT":
            self.per[self.rcpt] = _Session(session.host, session.command, session.reply)

    def _verdict_line(self, line: str) -> None:
        verdict = _VERDICT.match(line)
        addr = addresses.normalize(verdict.group(2)) if verdict else None
        if not (verdict and addr):
            return
        text = " ".join(line.split())
        known = self.per.get(addr)
        if known is None or known.reply is None:
            self.per[addr] = _Session(self.host, self.command, join_reply(self.reply) if self.reply else None, text)
        else:
            known.verdict = text
        self.reply = None


def _transcript(lines: list[str]) -> tuple[dict[str, _Session], list[_Session]]:
    """Per-address sessions, and every failed remote reply in order."""
    reader = _Transcript()
    for turn in smtp.turns(lines, sent=_SENT, received=_RECEIVED, host=_TALKING):
        reader.read(turn)
    return reader.per, reader.failures


def _after_marker(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _MARKER.search(line):
            return lines[i + 1 :]
    return []


def _facts(recipient: str | None, reason: str | None, session: _Session | None) -> Facts:
    session = session or _Session()
    diag = session.reply or reason or session.verdict
    facts = Facts(
        recipient=recipient,
        diagnostic=diag,
        remote_mta=session.host,
        smtp_command=session.command,
        recipient_source="report" if recipient else None,
    )
    return smtp.fill_codes(facts, diag, session.verdict)


def _session_of(reason: str | None, failures: list[_Session]) -> _Session | None:
    """The failed reply a listed address without its own session goes with: the one its reason
    quotes, else the only one."""
    same = [f for f in failures if reason and f.reply and reason[:40] in f.reply]
    return same[0] if same else failures[-1] if len(failures) == 1 else None


def _own_verdict(lines: list[str]) -> str | None:
    """Sendmail's own verdict line in the transcript (``451 example.org: Name server timeout``),
    the first one, else None."""
    return next((ln.strip() for ln in _after_marker(lines) if _BARE_VERDICT.match(ln)), None)


def _unnamed(lines: list[str], failures: list[_Session]) -> list[Facts]:
    """No address named: the session's last refusal, else sendmail's own verdict line."""
    verdict = _own_verdict(lines)
    session = failures[-1] if failures else _Session(verdict=verdict)
    if session.verdict is None and verdict:
        session.verdict = verdict
    return [_facts(None, None, session)] if session.reply or session.verdict else []


def decode(mail: Mail) -> list[Facts]:
    """Listed addresses first (with the transcript's reply for each), then addresses only the
    transcript names; a transcript that names none gives one fact without recipient."""
    lines = mail.report_text.split("\n")
    listed = _listed(lines)
    per, failures = _transcript(lines)
    out: list[Facts] = []
    for addr, reason in listed.items():
        session = per.get(addr)
        if session is None and failures:
            session = _session_of(reason, failures)
        if session is None and reason is None and not failures:
            # no remote reply at all (DNS failed, no connection): sendmail's own verdict is the error
            session = _Session(verdict=_own_verdict(lines))
        out.append(_facts(addr, reason, session))
    skip = views.senders(mail)
    for addr, session in per.items():
        # an address only the transcript names: a verdict on the sender (MAIL FROM) is not a recipient
        if addr not in listed and not addresses.is_system(addr) and addr.lower() not in skip:
            out.append(_facts(addr, None, session))
    if not out:
        out = _unnamed(lines, failures)
    own = markers.reason_table(NAME).first(mail.subject)
    for f in out:
        f.reason = f.reason or own
    return blocks.dated(mail, blocks.with_inline_dsn(mail, out))
