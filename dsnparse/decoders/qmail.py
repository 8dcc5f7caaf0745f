"""qmail (qmail-send, netqmail, vpopmail/qmail-ldap relatives and look-alikes).

The report lists each failed recipient as a ``<address>:`` line followed by qmail-remote's own
sentence and, when a remote server answered, ``Remote host said: <reply>`` (the reply is then
the diagnostic)::

    Hi. This is the qmail-send program at mx.example.org.
    I'm afraid I wasn't able to deliver your message to the following addresses.
    <bob@example.net>:
    192.0.2.25 does not like recipient.
    Remote host said: 550 5.1.1 <bob@example.net>: User unknown
    Giving up on 192.0.2.25.
    --- Below this line is a copy of the message.

The same layout is written by qmail derivatives whose first line differs ("Unable to deliver
message to the following address(es).", "Your mail message to the following address(es) could
not be delivered."). qmail's own sentences ("Sorry, I couldn't find any host named ...") name the
reason outright when no remote server replied.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..message import Mail
from ._shared import blocks, markers, views

NAME = "qmail"

_STOP = re.compile(r"(?i)^-{2,3} ?(?:below this line|enclosed is a copy|original message follows|the original message)")
_REMOTE_SAID = re.compile(r"(?i)\bremote host said:[ \t]{0,4}")
_REPORTER = re.compile(
    r"(?i)this is the qmail(?:-send)? program at[ \t]{1,4}([A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])"
)
# qmail's own sentences that follow a quoted remote reply.
_AFTERWORD = re.compile(r"(?i)\bgiving up on |\bi'm not going to try again")
# Which command a failure followed, from qmail-remote's fixed wording.
_COMMAND = (
    (re.compile(r"(?i)does not like recipient|for rcpt to response|most progress was rcpt to"), "RCPT"),
    (re.compile(r"(?i)sender was rejected|for mail from response|most progress was mail from"), "MAIL"),
    (re.compile(r"(?i)failed after i sent the message|failed on data command|for data response"), "DATA"),
    (re.compile(r"(?i)my name was rejected|most progress was helo"), "HELO"),
    (re.compile(r"(?i)but greeting failed|no smtp connection got far enough"), "CONN"),
)
_HOST = re.compile(
    r"(?i)(?:\bremote host|\bconnected to|\bgiving up on)[ \t]{1,2}([A-Za-z0-9][A-Za-z0-9.:-]{0,253}[A-Za-z0-9])"
    r"|^([A-Za-z0-9][A-Za-z0-9.:-]{0,253}[A-Za-z0-9])[ \t]"
    r"(?:does not like recipient|failed after i sent|failed on data)",
    re.M,
)


def matches(mail: Mail) -> bool:
    """From a daemon, with a qmail-style opening sentence in the first lines or qmail's bounce
    Received trace."""
    if not views.machine_report(mail):
        return False
    if markers.head_marked(mail, NAME, 800):
        return True
    return any("invoked for bounce" in r for r in mail.received[:3])


def _command(text: str) -> str | None:
    for pattern, command in _COMMAND:
        if pattern.search(text):
            return command
    return None


def _remote(text: str) -> str | None:
    m = _HOST.search(text)
    if not m:
        return None
    host = (m.group(1) or m.group(2)).rstrip(".").lower()
    return host if "." in host or ":" in host else None


def decode(mail: Mail) -> list[Facts]:
    """One fact per ``<address>:`` block, with qmail's sentence and the remote reply."""
    reporter = _REPORTER.search(views.head(mail, 400))
    out: list[Facts] = []
    lines = views.lines(mail)
    for addr, rows in blocks.blocks(lines, blocks.ANGLE_LINE, stop=_STOP, blank_ends=False, skip_system=False):
        diagnostic = " ".join(rows)
        said = _REMOTE_SAID.search(diagnostic)
        reply = _AFTERWORD.split(diagnostic[said.end() :], 1)[0].strip() if said else ""
        f = blocks.facts(addr, reply or diagnostic, smtp_command=_command(diagnostic), remote_mta=_remote(diagnostic))
        if not said:
            f.reason = markers.reason_table(NAME).first(diagnostic)
        if reporter and "." in reporter.group(1):
            f.reporting_mta = reporter.group(1).lower()
        out.append(f)
    return out
