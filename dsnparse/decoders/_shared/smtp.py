"""Readers for the SMTP wording that bounce reports quote: the command a reply answered (in an
MTA's sentence, a provider's phrase or a ``>>>``/``<<<`` transcript), the remote host named, and
the reply itself with its codes.

Not a decoder (it has no ``matches``/``decode``): every decoder that reads SMTP wording uses it,
so that each of them stays a format reader only. Pure functions of text; which command a reply
answered is :mod:`dsnparse.commands` (one table, one precedence), asked here for one step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from ...commands import answered, transcript_verb
from ...facts import Facts, find_reply_code, find_status
from ...standard.dsn import join_reply

# SMTP transcript lines as Courier, sendmail and others quote them (verbs: dsnparse.commands).
_SENT = re.compile(r"^[ \t]{0,8}>>>[ \t]{0,4}([A-Za-z]{4,8})\b")
_RECEIVED = re.compile(r"^[ \t]{0,8}<<<[ \t]{0,4}(.*)$")
# "host mx.example.net[192.0.2.1] said:", "host mx.example.net [192.0.2.1]:", "connect to mx[...]".
_REMOTE_NAMED = re.compile(
    r"(?i)(?:\bhost|\bconnect to|\btalking to|\bfrom remote host|\bremote host)[ \t:]{1,4}"
    r"([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])[ \t]{0,2}(?:\[|:|\(|$)",
    re.M,
)
# ``host mx.example.net[192.0.2.1] said``, ``host: mx.example.net``, ``host mx.example.net [192.0.2.1]:``
_REMOTE_HOST = re.compile(r"\bhost:?[ \t]{1,4}([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})")
# "host mx.example.net [192.0.2.1]", "mx.example.net[192.0.2.1]": a named remote host
_REMOTE_BRACKETED = re.compile(
    r"(?i)\b([a-z0-9](?:[a-z0-9-]{0,62}\.){1,8}[a-z]{2,63})[ \t]?\[(\d{1,3}(?:\.\d{1,3}){3})\]"
)
_IP_BRACKETS = re.compile(r"\[(\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]{2,45})\]")
# An SMTP reply at the start of a line, or after "host x [ip]: " / "said: ".
_REPLY_START = re.compile(r"(?m)(?:^|\]:[ \t]{1,4}|\bsaid:[ \t]{1,4})([2-5][0-5]\d(?:[ -]|$))")
# Where an SMTP reply starts inside a sentence: a reply code not part of a number, an address or a port.
_REPLY_INSIDE = re.compile(r"(?<![\w.:/\[-])[245]\d\d(?=[ -]\S)")
# The enhanced status that follows an SMTP reply code: ``550 5.1.1``, ``550-'5.7.1``, ``<421 4.4.2``.
_REPLY_STATUS = re.compile(r"(?<![\d.])([245]\d\d)[ -]'?([245]\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)")


def command(text: str | None) -> str | None:
    """The SMTP command a reply answered, from an MTA's own narration (``in reply to RCPT TO
    command``, ``after MAIL FROM:``, ``>>> DATA``; the last one named wins): the ``sentence``
    step of :func:`dsnparse.commands.answered`."""
    return answered(text, ("sentence",))


def command_phrase(text: str | None) -> str | None:
    """The SMTP command a failure answered, from a provider's phrase (``after end of data``,
    ``[MAIL_FROM]``; the first one in the text): the ``phrase`` step of
    :func:`dsnparse.commands.answered`."""
    return answered(text, ("phrase",))


REPLY_MAX = 4000
"""Characters of one transcript turn kept (a real SMTP reply is a few lines of at most 512 each):
past it a runaway reply keeps its head and the reading stays linear."""
# The line of a multi-line SMTP reply that says another line follows (RFC 5321 4.2.1: "250-").
_MORE_FOLLOWS = re.compile(r"^[2-5]\d\d-")
# A long transcript line folded onto the next by the reporting MTA (Postfix indents by five blanks).
_FOLD = "     "

TurnKind = Literal["sent", "received", "host", "other"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One step of an SMTP session transcript: a command ``sent``, a reply ``received`` (its lines
    joined by ``"\\n"``), the ``host`` talked to from here on (lower-cased), or an ``other`` line
    the transcript interleaves (a verdict, a blank line). ``line`` is the first line as written."""

    kind: TurnKind
    text: str
    line: str


@dataclass(slots=True)
class _Open:
    """A command or reply being read: more lines may still join it."""

    kind: TurnKind
    line: str
    parts: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, text: str) -> None:
        if self.size < REPLY_MAX:  # a runaway turn keeps its head: time and memory stay linear
            self.parts.append(text)
            self.size += len(text) + 1

    def continuation(self, line: str, sent: re.Pattern[str], received: re.Pattern[str]) -> str | None:
        """What ``line`` adds to this turn, by the one joining rule, else None: a folded line
        continues the turn before it, and a reply line continues the reply before it when that
        reply's last line says more follows."""
        reply_line = received.match(line)
        if reply_line:
            more = self.kind == "received" and _MORE_FOLLOWS.match(self.parts[-1])
            return reply_line.group(1).strip() if more else None
        if line.startswith(_FOLD) and line.strip() and not sent.match(line):
            return line.strip()
        return None

    def turn(self) -> Turn:
        return Turn(self.kind, "\n".join(self.parts), self.line)


def _turn(line: str, sent: re.Pattern[str], received: re.Pattern[str], host: re.Pattern[str] | None) -> Turn:
    """What one transcript line is on its own (before any line joins it)."""
    named = host.match(line) if host else None
    if named:
        return Turn("host", named.group(1).lower(), line)
    command = sent.match(line)
    if command:
        return Turn("sent", command.group(1).strip(), line)
    reply_line = received.match(line)
    if reply_line:
        return Turn("received", reply_line.group(1).strip(), line)
    return Turn("other", line, line)


def turns(
    lines: Iterable[str], sent: re.Pattern[str], received: re.Pattern[str], host: re.Pattern[str] | None = None
) -> Iterator[Turn]:
    """The turns of an SMTP session transcript, in order. ``sent`` and ``received`` match a command
    line and a reply line (group 1: the command or reply), ``host`` a line naming the host talked
    to (group 1: the host): ``>>>``/``<<<`` for sendmail, ``In:``/``Out:`` for a Postfix server.

    A multi-line reply is one turn: its lines join while the last one read is an ``NNN-`` line
    (RFC 5321's "more follows"); a line folded by the reporting MTA (indented five blanks) joins
    the turn before it. Back-to-back replies without ``NNN-`` stay apart: they answer pipelined
    commands (``354`` then ``451`` after DATA). A transcript cut off mid-reply ends with the
    lines it has; each turn keeps at most about :data:`REPLY_MAX` characters."""
    current: _Open | None = None
    for line in lines:
        if current is not None and (more := current.continuation(line, sent, received)) is not None:
            current.add(more)
            continue
        if current is not None:
            yield current.turn()
            current = None
        turn = _turn(line, sent, received, host)
        if turn.kind in ("sent", "received"):
            current = _Open(turn.kind, line, [turn.text], len(turn.text))
        else:
            yield turn
    if current is not None:
        yield current.turn()


def transcript(rows: list[str]) -> tuple[str | None, str | None]:
    """``(command, reply)`` from an SMTP transcript (``>>> RCPT TO:<...>`` / ``<<< 550 ...``):
    the last command sent and the replies received after it, joined (:func:`turns`)."""
    sent_command: str | None = None
    reply: list[str] = []
    for turn in turns(rows, sent=_SENT, received=_RECEIVED):
        if turn.kind == "sent":
            sent_command = transcript_verb(turn.text) or sent_command
            reply = []
        elif turn.kind == "received":
            reply.append(turn.text)
    return sent_command, join_reply(" ".join(reply)) if reply else None


def remote_host(text: str | None, form: Literal["named", "host", "bracketed"] = "named") -> str | None:
    """The remote host a report names, lower-cased, else None. ``form`` says which wording
    counts: ``named`` - after ``host``, ``connect to``, ``talking to`` or ``remote host``
    (a name with a dot), else the first bracketed IP address; ``host`` - ``host NAME`` /
    ``host: NAME`` only; ``bracketed`` - the first ``NAME[ip]`` pair."""
    if not text:
        return None
    if form == "host":
        m = _REMOTE_HOST.search(text)
        return m.group(1).rstrip(".").lower() if m else None
    if form == "bracketed":
        m = _REMOTE_BRACKETED.search(text)
        return m.group(1).lower() if m else None
    m = _REMOTE_NAMED.search(text)
    if m and "." in m.group(1):
        return m.group(1).lower()
    m = _IP_BRACKETS.search(text)
    return m.group(1) if m else None


def reply(text: str) -> str | None:
    """The SMTP reply quoted in a text (from its reply code at the start of a line or after
    ``said:`` to the end), multi-line replies joined into one line; None when it quotes none."""
    m = _REPLY_START.search(text)
    if not m:
        return None
    return join_reply(text[m.start(1) :])


def join_text(text: str) -> str:
    """A text on one line, a multi-line SMTP reply inside it joined from its first reply code on
    (``Remote host said: 550-5.1.1 a 550 5.1.1 b`` -> ``... 550-5.1.1 a b``)."""
    flat = " ".join(text.split())
    m = _REPLY_INSIDE.search(flat)
    if not m:
        return flat
    return f"{flat[: m.start()]}{join_reply(flat[m.start() :])}"


def last_reply(text: str | None) -> tuple[str, str] | None:
    """Reply code and enhanced status of the last SMTP reply quoted in a text (``... <421 4.4.2
    timed out>`` gives ``("421", "4.4.2")``): the remote server's own verdict, which an MTA may
    wrap in a code of its own."""
    if not text:
        return None
    found = _REPLY_STATUS.findall(text)
    if not found:
        return None
    code, status = found[-1]
    valid = find_status(status)
    return (code, valid) if valid else None


def fill_codes(facts: Facts, *texts: str | None) -> Facts:
    """Set status and reply code from the first text that has them (valid codes only)."""
    for text in texts:
        if facts.status is None:
            facts.status = find_status(text)
        if facts.reply_code is None:
            facts.reply_code = find_reply_code(text)
    return facts
