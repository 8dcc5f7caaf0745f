"""Provider rules (``data/providers.toml``): reasons for codes that a provider uses its own way.

A provider is recognised by the remote MTA's host name or the recipient's domain (suffix match).
Its rules are tried in order; a rule matches when every condition it names holds (status code,
reply code, literal phrase in the diagnostic). Rules override the registry meaning of a code:
Gmail's X.7.26-X.7.30, Microsoft's 5.7.5xx and 5.4.1 "Access denied", GoDaddy's rate limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..facts import Facts
from ..phrases import load_toml


@dataclass(frozen=True, slots=True)
class Rule:
    """One provider rule: conditions (all optional, all must hold) and the reason they give."""

    reason: str
    status: str | None = None
    status_prefix: str | None = None
    reply_code: str | None = None
    phrase: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider: the host name suffixes that identify it and its rules."""

    name: str
    hosts: tuple[str, ...]
    rules: tuple[Rule, ...]

    def owns(self, host: str) -> bool:
        """True when ``host`` is one of the provider's names or below one."""
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@lru_cache(maxsize=1)
def table() -> tuple[Provider, ...]:
    """The packaged provider rules (loaded once)."""
    data = load_toml("providers.toml")
    out = []
    entries = data.get("provider", [])
    for p in entries if isinstance(entries, list) else []:
        rules = tuple(
            Rule(
                reason=str(r["reason"]),
                status=r.get("status"),
                status_prefix=r.get("status_prefix"),
                reply_code=r.get("reply_code"),
                phrase=str(r["phrase"]).lower() if r.get("phrase") else None,
            )
            for r in p.get("rule", [])
        )
        out.append(Provider(str(p["name"]), tuple(str(h).lower() for h in p.get("hosts", [])), rules))
    return tuple(out)


def identify(facts: Facts, recipient_domain: str | None) -> Provider | None:
    """The provider behind the remote MTA or the recipient's domain, if a known one."""
    hosts = [h for h in (facts.remote_mta, recipient_domain) if h]
    for provider in table():
        if any(provider.owns(h.split()[0] if h.split() else h) for h in hosts):
            return provider
    return None


def match(facts: Facts, recipient_domain: str | None) -> str | None:
    """The reason a provider rule gives for these facts, else None."""
    provider = identify(facts, recipient_domain)
    if provider is None:
        return None
    text = (facts.diagnostic or "").lower()
    for rule in provider.rules:
        if rule.status and rule.status != facts.status:
            continue
        if rule.status_prefix and not (facts.status or "").startswith(rule.status_prefix):
            continue
        if rule.reply_code and rule.reply_code != facts.reply_code:
            continue
        if rule.phrase and rule.phrase not in text:
            continue
        return rule.reason
    return None
