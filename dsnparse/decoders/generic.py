"""The generic heuristic, tried last: failed recipients next to failure phrases and SMTP replies.

It reads any bounce-like message no specific decoder claimed: a sender such as MAILER-DAEMON, a
non-delivery subject in one of the common languages, an ``X-Failed-Recipients`` header, or a
delivery-status report. Addresses are taken only from the report text above the quoted original
message, never from the bounce's own From/To (the original sender) or daemon addresses.
"""

from __future__ import annotations

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import cut_original, tables
from ..standard.dsn import join_reply, read_inline

NAME = "generic"

_MAX_CONTEXT_LINES = 6


def matches(mail: Mail) -> bool:
    """Bounce-like: daemon sender, non-delivery subject, X-Failed-Recipients or a DSN report."""
    t = tables()
    if mail.message.get("x-failed-recipients") is not None or mail.report_type == "delivery-status":
        return True
    local = mail.sender.split("@", 1)[0]
    return bool(t.bounce_sender.search(local) or t.bounce_subject.search(mail.subject))


def excluded(mail: Mail) -> set[str]:
    """Addresses that are never failed recipients: the bounce's own sender and addressee (the
    original sender) and the original message's From."""
    out = set()
    for value in (mail.header("from"), mail.header("to"), mail.header("return-path"), mail.original_header("from")):
        for a in addresses.find_all(value):
            out.add(a.lower())
    return out


def report_lines(mail: Mail) -> list[str]:
    """The report text above any quoted original message, as lines."""
    return cut_original(mail.report_text).split("\n")


def context(lines: list[str], index: int) -> str:
    """The diagnostic next to an address: its line and the following lines of its paragraph."""
    out = [lines[index]]
    for line in lines[index + 1 : index + 1 + _MAX_CONTEXT_LINES]:
        if not line.strip():
            if len(out) > 1:
                break
            continue
        if addresses.ADDRESS_IN_TEXT.search(line) and len(out) > 1:
            break
        out.append(line)
    return join_reply(" ".join(s.strip() for s in out))


def decode(mail: Mail) -> list[Facts]:
    """Recipients found in the report text, each with the text around it as diagnostic."""
    inline = read_inline(mail.report_text, mail)
    if inline:
        return inline
    skip = excluded(mail)
    lines = report_lines(mail)
    failure = tables().failure
    found: dict[str, Facts] = {}
    for header_value in mail.header_all("x-failed-recipients"):
        for addr in addresses.find_all(header_value):
            found.setdefault(addr.lower(), Facts(recipient=addr, recipient_source="x-failed-recipients"))
    whole = "\n".join(lines)
    for i, line in enumerate(lines):
        if "@" not in line:
            continue
        for addr in addresses.find_all(line):
            key = addr.lower()
            if key in skip or addresses.is_system(addr):
                continue
            diag = context(lines, i)
            if key in found:
                if not found[key].diagnostic:
                    found[key].diagnostic = diag
                continue
            if not failure.search(diag) and not failure.search(whole):
                continue
            found[key] = Facts(recipient=addr, diagnostic=diag, recipient_source="text")
    if not found:
        if not failure.search(whole):
            return []
        found[""] = Facts()
    for facts in found.values():
        if not facts.diagnostic:
            facts.diagnostic = _failure_sentence(lines)
        facts.status = find_status(facts.diagnostic) or find_status(whole)
        facts.reply_code = find_reply_code(facts.diagnostic)
    return list(found.values())


def _failure_sentence(lines: list[str]) -> str | None:
    failure = tables().failure
    for i, line in enumerate(lines):
        if failure.search(line):
            return context(lines, i)
    return None
