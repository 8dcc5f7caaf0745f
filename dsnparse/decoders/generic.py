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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .. import addresses
from ..facts import Facts, find_reply_code, find_status
from ..message import Mail
from ..phrases import cut_original, is_daemon, tables
from ..standard.dsn import join_reply, read_inline
from ._shared import blocks, views

NAME = "generic"

_MAX_CONTEXT_LINES = 6
_SIGNATURE = ("--", "-- ")
# What may stand before a listed address on its line: bullets, brackets, arrows, quotes.
_LEAD = re.compile(r"^[ \t>*\-+•·<\"'(\[]{0,12}$")
_TRAIL = " \t>:;,)]\"'."


def matches(mail: Mail) -> bool:
    """Bounce-like: X-Failed-Recipients, a DSN report, a daemon sender, or a non-delivery subject
    on a machine-made message (null or daemon Return-Path, Auto-Submitted, a returned original)."""
    if mail.raw("x-failed-recipients") is not None or mail.report_type == "delivery-status":
        return True
    if mail.from_daemon:
        return True
    return bool(tables().bounce_subject.search(mail.subject)) and _machine_returned(mail)


def _machine_returned(mail: Mail) -> bool:
    """Returned by software: a null or daemon Return-Path, Auto-Submitted, or a returned original."""
    return_path = mail.header("return-path").strip()
    if mail.raw("return-path") is not None and return_path.strip("<> ") == "":
        return True
    if is_daemon(return_path) or mail.raw("auto-submitted") is not None:
        return True
    return mail.original_part is not None


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


def _line_addresses(line: str) -> list[str]:
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


@dataclass(frozen=True, slots=True)
class _Mention:
    """An address on a report line, the text next to it, whether that text says it failed, and
    whether the report lists it (under a lead sentence or after a recipient label)."""

    address: str
    diagnostic: str
    strong: bool
    listed: bool


def _mentions(lines: list[str], skip: set[str]) -> Iterator[_Mention]:
    """Every address the report's lines name that may be a failed recipient, in order."""
    for i, line in enumerate(lines):
        if "@" not in line:
            continue
        for addr in _line_addresses(line):
            if addr.lower() in skip or addresses.is_system(addr):
                continue
            lead = _lead(lines, i, addr)
            labelled = lead is None and _labelled(line, addr)
            diag = _listed_diagnostic(lines, i, addr, lead) if lead else context(lines, i, addr)
            yield _Mention(addr, diag, lead is not None or labelled or _evidence(diag), bool(lead) or labelled)


def _keep(found: dict[str, Facts], mentions: Iterable[_Mention], failed_somewhere: bool) -> dict[str, Facts]:
    """The failed recipients among the mentions, added to ``found`` (keyed lower-cased): an
    address next to failure evidence, or any address when the report says it failed somewhere.
    A listed address beats one named in a sentence (the list, the sender's message); else, when
    some have evidence, those without it are dropped."""
    weak: set[str] = set()
    listed: set[str] = set()
    for mention in mentions:
        key = mention.address.lower()
        known = found.get(key)
        if known is not None:
            if not known.diagnostic or (mention.strong and key in weak) or (mention.listed and key not in listed):
                known.diagnostic = mention.diagnostic or None
                if mention.strong:
                    weak.discard(key)
        elif mention.strong or failed_somewhere:
            diagnostic = mention.diagnostic or None
            found[key] = Facts(recipient=mention.address, diagnostic=diagnostic, recipient_source="text")
            if not mention.strong:
                weak.add(key)
        else:
            continue
        if mention.listed:
            listed.add(key)
    if listed:
        return {k: v for k, v in found.items() if k in listed or v.recipient_source == "x-failed-recipients"}
    if len(weak) < len(found):
        return {k: v for k, v in found.items() if k not in weak}
    return found


def _header_recipients(mail: Mail) -> dict[str, Facts]:
    """The recipients of ``X-Failed-Recipients`` (keyed lower-cased)."""
    found: dict[str, Facts] = {}
    for header_value in mail.header_all("x-failed-recipients"):
        for addr in addresses.find_all(header_value):
            found.setdefault(addr.lower(), Facts(recipient=addr, recipient_source="x-failed-recipients"))
    return found


def decode(mail: Mail) -> list[Facts]:
    """Recipients found in the report text, each with the text around it as diagnostic: the
    candidates (:func:`_mentions`), then the choice (:func:`_keep`)."""
    inline = read_inline(mail.report_text, mail)
    if inline:
        return inline
    lines = report_lines(mail)
    whole = "\n".join(lines)
    failed_somewhere = bool(tables().failure.search(whole)) or _daemon_subject(mail)
    mentions = _mentions(lines, views.senders(mail) | contacts(lines))
    found = _keep(_header_recipients(mail), mentions, failed_somewhere)
    if not found:
        if not failed_somewhere:
            return []
        found = {"": Facts()}
    for facts in found.values():
        if not facts.diagnostic:
            facts.diagnostic = _failure_sentence(lines)
        facts.status = find_status(facts.diagnostic) or find_status(whole)
        facts.reply_code = find_reply_code(facts.diagnostic)
    return list(found.values())


def _lead(lines: list[str], index: int, addr: str) -> str | None:
    """The sentence that announces a listed address, when the address stands alone on its line
    right under it ("I could not deliver your message to this address:" / a blank line /
    "bob@example.net"), or starts the line with the reason after it: the 2000s' plain bounces.
    The lead names the list ("the following address"), or says the delivery failed and either
    ends with a colon or stands over an address alone on its line; then the address is a failed
    recipient and the lead its diagnostic (unless a reply is written beside or under it). Else
    None."""
    bare = _bare(lines[index]) == addr.lower()
    if not bare and not (_starts_with_address(lines[index]) and addresses.find_all(lines[index])[:1] == [addr]):
        return None
    above = index - 1
    if above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0 or not lines[above].strip() or _bare(lines[above]):
        return None
    start = above
    while start > 0 and lines[start - 1].strip() and not _bare(lines[start - 1]) and above - start < 3:
        start -= 1
    text = " ".join(line.strip() for line in lines[start : above + 1])
    if not (tables().recipient_lead.search(text) or ((bare or text.endswith(":")) and tables().failure.search(text))):
        return None
    return join_reply(text)


def _labelled(line: str, addr: str) -> bool:
    """True when the line labels the address as the failed recipient ("Intended recipient:
    bob@...", LSMTP's "Error-for: bob@...", MailEnable's "Recipient: [SMTP:bob@...]")."""
    head = line.strip().lower()
    return head.startswith(tables().recipient_labels) and addr.lower() in head


def _beside(lines: list[str], index: int, addr: str) -> str:
    """What a listed address's line says after it and the lines right under it, up to a blank
    line or the next listed address (the reply written beside or below it), joined."""
    rest = "" if _bare(lines[index]) else _after_address(lines[index], addr).strip()
    out: list[str] = [rest] if rest and rest.lower() != addr.lower() else []
    for line in lines[index + 1 : index + 1 + _MAX_CONTEXT_LINES]:
        if not line.strip() or _starts_with_address(line):
            break
        out.append(line.strip())
    return join_reply(" ".join(out))


def _listed_diagnostic(lines: list[str], index: int, addr: str, lead: str) -> str:
    """The diagnostic of an address listed under a lead: the reply beside or under it, else the
    paragraph after it when that one states the failure ("Reason: mailbox quota exceeded"),
    else the lead itself."""
    beside = _beside(lines, index, addr)
    if beside:
        return beside
    after = context(lines, index, addr)
    return after if after and not _bare(after) and _evidence(after) else lead


def _bare(line: str) -> str | None:
    """The lower-cased address when a line holds nothing else (:func:`._shared.blocks.bare_address`)."""
    addr = blocks.bare_address(line)
    return addr.lower() if addr else None


def _daemon_subject(mail: Mail) -> bool:
    """A non-delivery subject from a daemon sender: the report says it failed even when its
    text does not."""
    return mail.from_daemon and bool(tables().bounce_subject.search(mail.subject))


def _failure_sentence(lines: list[str]) -> str | None:
    """The first line that gives an SMTP reply or status code, else the first failure phrase."""
    failure = tables().failure
    hits = [i for i, line in enumerate(lines) if failure.search(line)]
    coded = [i for i in hits if find_reply_code(lines[i]) or find_status(lines[i])]
    return context(lines, (coded or hits)[0]) if hits else None
