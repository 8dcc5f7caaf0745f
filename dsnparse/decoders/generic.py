"""The generic heuristic, tried last: failed recipients next to failure phrases and SMTP replies.

It reads any bounce-like message no specific decoder claimed: a sender such as MAILER-DAEMON, a
non-delivery subject in one of the common languages, an ``X-Failed-Recipients`` header, or a
delivery-status report. Addresses are taken only from the report text above the quoted original
message and above a signature, never from the bounce's own From/To (the original sender), daemon
addresses, lines that name a sender (``From:``, ``MAIL FROM:``...) or contact sentences
("please contact helpdesk@..."). When some addresses stand next to a failure (a failure phrase,
an SMTP reply or a status code) the ones that do not are dropped.
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import cut_original, tables
from ..standard.dsn import join_reply, read_inline

NAME = "generic"

_MAX_CONTEXT_LINES = 6
_SIGNATURE = ("--", "-- ")
# What may stand before a listed address on its line: bullets, brackets, arrows, quotes.
_LEAD = re.compile(r"^[ \t>*\-+•·<\"'(\[]{0,12}$")
_TRAIL = " \t>:;,)]\"'."


def matches(mail: Mail) -> bool:
    """Bounce-like: X-Failed-Recipients, a DSN report, a daemon sender, or a non-delivery subject
    on a machine-made message (null or daemon Return-Path, Auto-Submitted, a returned original)."""
    if mail.message.get("x-failed-recipients") is not None or mail.report_type == "delivery-status":
        return True
    if _daemon(mail.sender):
        return True
    return bool(tables().bounce_subject.search(mail.subject)) and _machine_made(mail)


def _daemon(address: str) -> bool:
    """A daemon address or display name (MAILER-DAEMON, postmaster, Mail Delivery System...)."""
    return bool(address) and bool(tables().bounce_sender.search(address.split("@", 1)[0]))


def _machine_made(mail: Mail) -> bool:
    return_path = mail.header("return-path").strip()
    if mail.message.get("return-path") is not None and return_path.strip("<> ") == "":
        return True
    if _daemon(return_path) or mail.message.get("auto-submitted") is not None:
        return True
    return mail.original_part is not None


def excluded(mail: Mail) -> set[str]:
    """Addresses that are never failed recipients: the bounce's own sender and addressee (the
    original sender) and the original message's From."""
    out = set()
    for value in (mail.header("from"), mail.header("to"), mail.header("return-path"), mail.original_header("from")):
        for a in addresses.find_all(value):
            out.add(a.lower())
    return out


def report_lines(mail: Mail) -> list[str]:
    """The report text above any quoted original message and above a signature, as lines."""
    lines = cut_original(mail.report_text).split("\n")
    for i, line in enumerate(lines):
        if line.rstrip("\n") in _SIGNATURE and i > 0:
            return lines[:i]
    return lines


def _starts_with_address(line: str) -> bool:
    m = addresses.ADDRESS_IN_TEXT.search(line)
    return bool(m and _LEAD.match(line[: m.start()]))


def _after_address(line: str, addr: str) -> str:
    """The rest of a line that begins with ``addr`` (``<a@b>: 550 ...`` -> ``550 ...``), else the line."""
    at = line.lower().find(addr.lower())
    if at < 0 or not _LEAD.match(line[:at]):
        return line
    return line[at + len(addr) :].lstrip(_TRAIL)


def context(lines: list[str], index: int, addr: str | None = None) -> str:
    """The diagnostic next to an address: the rest of its line and the following lines of its
    paragraph, up to the next listed address."""
    first = _after_address(lines[index], addr) if addr else lines[index]
    out = [first] if first.strip() else []
    for line in lines[index + 1 : index + 1 + _MAX_CONTEXT_LINES]:
        if not line.strip():
            if out:
                break
            continue
        if _starts_with_address(line):
            break
        out.append(line)
    return join_reply(" ".join(s.strip() for s in out))


def _candidates(line: str) -> list[str]:
    """Addresses on a report line that may be failed recipients (not on a sender line)."""
    if line.strip().lower().startswith(tables().sender_labels):
        return []
    return addresses.find_all(line)


def contacts(lines: list[str]) -> set[str]:
    """Addresses the report asks the reader to contact ("please contact help@..."): never a
    failed recipient, wherever else they appear."""
    matcher = tables().contact
    out: set[str] = set()
    for line in lines:
        m = matcher.search(line) if "@" in line else None
        if m:
            out.update(a.lower() for a in addresses.find_all(line[m.start() :]))
    return out


def _evidence(text: str) -> bool:
    return bool(tables().failure.search(text) or find_reply_code(text) or find_status(text))


def decode(mail: Mail) -> list[Facts]:
    """Recipients found in the report text, each with the text around it as diagnostic."""
    inline = read_inline(mail.report_text, mail)
    if inline:
        return inline
    lines = report_lines(mail)
    skip = excluded(mail) | contacts(lines)
    found: dict[str, Facts] = {}
    for header_value in mail.header_all("x-failed-recipients"):
        for addr in addresses.find_all(header_value):
            found.setdefault(addr.lower(), Facts(recipient=addr, recipient_source="x-failed-recipients"))
    whole = "\n".join(lines)
    failed_somewhere = bool(tables().failure.search(whole)) or _daemon_subject(mail)
    weak: set[str] = set()
    for i, line in enumerate(lines):
        if "@" not in line:
            continue
        for addr in _candidates(line):
            key = addr.lower()
            if key in skip or addresses.is_system(addr):
                continue
            diag = context(lines, i, addr)
            strong = _evidence(diag)
            if key in found:
                known = found[key]
                if not known.diagnostic or (strong and key in weak):
                    known.diagnostic = diag or None
                    if strong:
                        weak.discard(key)
                continue
            if not strong and not failed_somewhere:
                continue
            found[key] = Facts(recipient=addr, diagnostic=diag or None, recipient_source="text")
            if not strong:
                weak.add(key)
    if len(weak) < len(found):
        found = {k: v for k, v in found.items() if k not in weak}
    if not found:
        if not failed_somewhere:
            return []
        found[""] = Facts()
    for facts in found.values():
        if not facts.diagnostic:
            facts.diagnostic = _failure_sentence(lines)
        facts.status = find_status(facts.diagnostic) or find_status(whole)
        facts.reply_code = find_reply_code(facts.diagnostic)
    return list(found.values())


def _daemon_subject(mail: Mail) -> bool:
    """A non-delivery subject from a daemon sender: the report says it failed even when its
    text does not."""
    return _daemon(mail.sender) and bool(tables().bounce_subject.search(mail.subject))


def _failure_sentence(lines: list[str]) -> str | None:
    """The first line that gives an SMTP reply or status code, else the first failure phrase."""
    failure = tables().failure
    hits = [i for i, line in enumerate(lines) if failure.search(line)]
    coded = [i for i in hits if find_reply_code(lines[i]) or find_status(lines[i])]
    return context(lines, (coded or hits)[0]) if hits else None
