"""RFC 3834 automatic responses (vacation, out-of-office, challenge-response) told apart from failures.

The signals are data: headers that only auto-responders set (``Auto-Submitted: auto-replied``,
``X-Autoreply``, Apple's ``X-Apple-Action: VACATION``...), localised subject prefixes, and the
headers and subjects of challenge-response systems that ask the sender to confirm a message.
All three are answered with kind ``autoreply`` and reason ``vacation`` (Sisimai's name).
"""

from __future__ import annotations

import re

from .. import addresses
from ..facts import Facts
from ..message import Mail
from ..phrases import lookalike_signals, tables

# Auto-Submitted values that mean "a reply", not a notification about delivery.
_AUTO_REPLIED = re.compile(r"^\s*auto-replied\b", re.I)
_HEADER_SIGNALS = (
    ("x-autoreply", None),
    ("x-autorespond", None),
    ("x-apple-action", re.compile(r"vacation", re.I)),
    ("x-mailer", re.compile(r"vacation|autorespon|auto[- ]?reply", re.I)),
    ("precedence", re.compile(r"^\s*auto[_-]reply", re.I)),
    ("x-auto-response-suppress", None),
    # challenge-response systems (the sender is asked to prove it is a person)
    ("x-challenge", None),
    ("x-boxbe-challenge", None),
    ("x-delivery-agent", re.compile(r"tmda", re.I)),
    ("x-spamarrest-challenge", None),
)
SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort|answer|respuesta|réponse|risposta|resposta)\b|"
    r"out of (?:the )?office|vacation|away (?:until|from|till)|abwesenheit|absence|on leave|"
    r"r[ée]ponse automatique|risposta automatica|respuesta autom[áa]tica|resposta autom[áa]tica|"
    r"automatisch(?:e)? (?:antwort|reactie)|afwezig|nicht im büro|fuera de la oficina|"
    r"自動応答|自动回复|不在|автоответ|autosvar|automaattinen vastaus|odpowied[źz] automatyczna)",
    re.I,
)


_HEAD_CHARS = 3000
"""How far into the text a challenge request's wording is looked for."""


def has_autoreply_headers(mail: Mail) -> bool:
    """True when the message carries a header only automatic responders set."""
    if _AUTO_REPLIED.match(mail.header("auto-submitted")):
        return True
    for name, pattern in _HEADER_SIGNALS:
        value = mail.raw(name)
        if value is None or (pattern is not None and not pattern.search(value)):
            continue
        # Outlook sets X-Auto-Response-Suppress on ordinary mail too: it counts with a matching subject
        if name != "x-auto-response-suppress" or SUBJECT.search(mail.subject):
            return True
    return False


def is_challenge(mail: Mail) -> bool:
    """True for a challenge-response or whitelist request (``[[challenge]]`` in
    ``lookalikes.toml``): its wording in the subject or the first lines of the text, on a message
    that is neither from a mail daemon nor a delivery-status report."""
    if mail.dsn_texts or tables().bounce_sender.search(mail.sender.split("@", 1)[0]):
        return False
    return lookalike_signals("challenge").found(mail.subject, mail.report_text[:_HEAD_CHARS])


def is_autoreply(mail: Mail) -> bool:
    """True when the message carries the headers or subject of an automatic reply, or is a
    challenge-response request."""
    if has_autoreply_headers(mail):
        return True
    return bool(SUBJECT.search(mail.subject)) or is_challenge(mail)


def read(mail: Mail) -> list[Facts]:
    """One fact: the address that answered automatically (the reply's From)."""
    sender = next(iter(addresses.find_all(mail.header("from")) + addresses.find_all(mail.header("reply-to"))), None)
    text = " ".join(mail.report_text.split())[:500] or None
    return [Facts(recipient=sender, diagnostic=text, recipient_source="report", reason="vacation")]
