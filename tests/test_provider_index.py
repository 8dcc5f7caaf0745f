"""``providers.identify`` (host suffix index + one marker pass) agrees with trying each provider."""

from __future__ import annotations

import random

from dsnparse.classify import providers
from dsnparse.facts import Facts


def _one_by_one(facts: Facts, recipient_domain: str | None) -> providers.Provider | None:
    hosts = [h.split()[0] for h in (facts.remote_mta, recipient_domain) if h and h.split()]
    text = facts.diagnostic or ""
    for provider in providers.table():
        if any(provider.owns(h) for h in hosts):
            return provider
        if provider.markers is not None and provider.markers.search(text):
            return provider
    return None


def test_identify_agrees_with_trying_each_provider_in_order() -> None:
    rnd = random.Random(11)
    hosts = [h for p in providers.table() for h in p.hosts]
    markers = [m for p in providers.table() for m in p.marker_phrases] + ["nothing", "550 5.1.1 user unknown"]
    assert hosts and markers
    cases = [(Facts(), None), (Facts(remote_mta="mx.example.net"), "example.com")]
    for _ in range(2000):
        host = rnd.choice(["", "mx1.", "X", "MX.", "[", "a.b."]) + rnd.choice(hosts) + rnd.choice(["", ".", "]", "x"])
        words = [rnd.choice(markers) for _ in range(rnd.randint(0, 2))]
        text = " ".join(w.upper() if rnd.random() < 0.3 else w for w in words)
        remote = f"{host} (10.0.0.1)" if rnd.random() < 0.7 else None
        domain = rnd.choice([None, rnd.choice(hosts), "example.com", "x" + rnd.choice(hosts)])
        cases.append((Facts(remote_mta=remote, diagnostic=text), domain))
    found = 0
    for facts, domain in cases:
        want = _one_by_one(facts, domain)
        assert providers.identify(facts, domain) is want, (facts, domain)
        found += want is not None
    assert found > len(cases) // 2
