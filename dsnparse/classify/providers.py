"""Provider rules (``data/providers.toml``): reasons for codes a provider uses its own way.

A provider is recognised by the remote MTA's host name or the recipient's domain (suffix match),
or by a marker its replies carry (its postmaster URL, its own error-code prefix). Its rules are
tried in order; a rule matches when every condition it names holds (status code or prefix, reply
code, the SMTP command the reply answered, one of its literal phrases in the diagnostic). Rules
override the registry meaning of a code: Gmail's X.7.26-X.7.30, Microsoft's 5.7.5xx and 5.4.1
"Access denied", GoDaddy's rate limits under 5.1.1, docomo's "Unknown user" after DATA, and the
vendor codes (Cox ``CXBL``, Spectrum ``AUP#``, Orange ``OFR_``...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..facts import Facts
from ..phrases import LabelledPhrases, any_of
from ..rows import load_rows


@dataclass(frozen=True, slots=True)
class Rule:
    """One provider rule: conditions (all optional, all must hold) and the reason they give."""

    reason: str
    status: str | None = None
    status_prefix: str | None = None
    reply_code: str | None = None
    phrases: re.Pattern[str] | None = None
    """Literal phrases, one of which must occur in the diagnostic."""
    command: str | None = None
    """The SMTP command the reply answered (``facts.smtp_command``: ``RCPT``, ``DATA``...)."""
    own_reason: str | None = None
    """dsnparse's own reading where the provider's documentation says otherwise than Sisimai's
    ``reason`` (the record's ``own_reason``); None when they agree."""

    def holds(self, facts: Facts, text: str) -> bool:
        """True when every condition of the rule holds for these facts."""
        status = facts.status or ""
        if self.status and self.status != status:
            return False
        if self.status_prefix and not status.startswith(self.status_prefix):
            return False
        if self.reply_code and self.reply_code != facts.reply_code:
            return False
        if self.command and self.command != facts.smtp_command:
            return False
        return self.phrases is None or bool(self.phrases.search(text))


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider: the host names and reply markers that identify it, and its rules."""

    name: str
    hosts: tuple[str, ...]
    markers: re.Pattern[str] | None
    rules: tuple[Rule, ...]
    marker_phrases: tuple[str, ...] = ()
    """The phrases ``markers`` matches."""
    label: str = ""
    """The provider's name for people (``Outlook.com``); the key ``name`` when the table gives none."""

    def rule_for(self, facts: Facts) -> Rule | None:
        """The first of the provider's rules that holds for these facts, else None."""
        text = facts.diagnostic or ""
        for rule in self.rules:
            if rule.holds(facts, text):
                return rule
        return None

    def owns(self, host: str) -> bool:
        """True when ``host`` is one of the provider's names or below one."""
        host = host.lower().strip("[]").rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A ``rule`` entry of ``data/providers.toml`` as written."""

    reason: str
    example: str
    """The provider's reply the rule was written for (run through :func:`match` by the tests)."""
    status: str | None = None
    status_prefix: str | None = None
    reply_code: str | None = None
    phrases: tuple[str, ...] = ()
    command: str | None = None
    own_reason: str | None = None
    """dsnparse's own reading where it differs from Sisimai's ``reason`` (see :class:`Rule`)."""


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """A ``[[provider]]`` of ``data/providers.toml`` as written."""

    name: str
    hosts: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    rule: tuple[RuleRow, ...] = ()
    label: str = ""
    """The provider's name for people (``Outlook.com``)."""


def rows() -> tuple[ProviderRow, ...]:
    """The provider table as written (each rule with its example)."""
    return load_rows("providers.toml", "provider", ProviderRow)


@lru_cache(maxsize=1)
def table() -> tuple[Provider, ...]:
    """The packaged provider rules (loaded once)."""
    return tuple(
        Provider(
            name=p.name,
            hosts=tuple(h.lower() for h in p.hosts),
            markers=any_of(p.markers) if p.markers else None,
            rules=tuple(
                Rule(r.reason, r.status, r.status_prefix, r.reply_code, any_of(r.phrases) if r.phrases else None,
                     r.command, r.own_reason)
                for r in p.rule
            ),
            marker_phrases=p.markers,
            label=p.label or p.name,
        )
        for p in rows()
    )


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, int], LabelledPhrases]:
    """Each provider host name to the first provider (by table position) owning it, and every
    provider's markers labelled by position: :func:`identify` without trying provider by provider."""
    owners: dict[str, int] = {}
    for rank, provider in enumerate(table()):
        for host in provider.hosts:
            owners.setdefault(host, rank)
    markers = LabelledPhrases((str(rank), p.marker_phrases) for rank, p in enumerate(table()))
    return owners, markers


def identify(facts: Facts, recipient_domain: str | None) -> Provider | None:
    """The provider behind the remote MTA, the recipient's domain or the reply's markers (the
    first in table order that owns one of the hosts or has a marker in the diagnostic)."""
    owners, markers = _index()
    ranks: list[int] = []
    for value in (facts.remote_mta, recipient_domain):
        words = value.split() if value else None
        if not words:
            continue
        host = words[0].lower().strip("[]").rstrip(".")
        start = 0
        while True:  # the host and each of its parent domains
            rank = owners.get(host[start:])
            if rank is not None:
                ranks.append(rank)
            dot = host.find(".", start)
            if dot < 0:
                break
            start = dot + 1
    marked = markers.first(facts.diagnostic or "")
    if marked is not None:
        ranks.append(int(marked))
    return table()[min(ranks)] if ranks else None


def deciding_rule(facts: Facts, recipient_domain: str | None) -> tuple[Provider, Rule] | None:
    """The provider recognised for these facts and its first rule that holds, else None."""
    provider = identify(facts, recipient_domain)
    if provider is not None and (rule := provider.rule_for(facts)) is not None:
        return provider, rule
    return None


def label(name: str) -> str:
    """The people's name of a provider key (``microsoft`` -> ``Outlook.com``); other names as they are."""
    for provider in table():
        if provider.name == name:
            return provider.label
    return name
