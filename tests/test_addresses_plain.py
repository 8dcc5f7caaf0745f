"""Plain addresses skip flanker: for every one of them flanker would have answered the same."""

from __future__ import annotations

import random

import pytest

from dsnparse import addresses
from dsnparse.addresses import PLAIN_ADDRESS, _flanker, verp_recipient


def _flanker_says(text: str) -> str | None:
    parsed = _flanker.parse(text, addr_spec_only=True)
    if parsed is None:
        return None
    local, _, domain = str(parsed.address).rpartition("@")
    return f"{local}@{domain.lower()}"


def _candidates(count: int) -> list[str]:
    rnd = random.Random(5)
    out = ["a" * 64 + "@example.com", "x@" + ".".join(["b" * 63] * 3) + ".com", "First.Last@Example.ORG",
           "bounce+abc=example.com@mail.example.net", "-a-@b-c.example", "a@b.c0m", "a..b@example.com"]
    for _ in range(count):
        local = "".join(rnd.choice("abcXYZ019_+=-.") for _ in range(rnd.randint(1, 14)))
        labels = ["".join(rnd.choice("abZ09-") for _ in range(rnd.randint(1, 9))) for _ in range(rnd.randint(1, 4))]
        tld = "".join(rnd.choice("comNETx9") for _ in range(rnd.randint(1, 5)))
        out.append(f"{local}@{'.'.join(labels)}.{tld}")
    return out


def test_plain_addresses_are_what_flanker_gives() -> None:
    plain = 0
    for text in _candidates(20000):
        local, _, domain = text.rpartition("@")
        if PLAIN_ADDRESS.fullmatch(text) and len(local) <= 64 and len(domain) <= 253:
            plain += 1
            assert _flanker_says(text) == f"{local}@{domain.lower()}", text
        assert addresses.normalize.__wrapped__(text) == (  # type: ignore[attr-defined]
            addresses.normalize.__wrapped__(f"<{text}>")  # type: ignore[attr-defined]
        )
    assert plain > 1000


def test_normalize_of_plain_and_other_addresses() -> None:
    assert addresses.normalize("<First.Last@Example.ORG>") == "First.Last@example.org"
    verp = "bounce+abc=example.com@Mail.Example.NET"
    assert addresses.normalize(f"rfc822; {verp}") == "bounce+abc=example.com@mail.example.net"
    assert addresses.normalize("not an address") is None


def test_display_name_forms_give_the_angled_address() -> None:
    """``"Name" <addr>`` is the usual From: the address in the angle brackets (the wrapper
    characters were once stripped first, which cut the closing bracket and lost the address)."""
    assert addresses.normalize('"Kijitora Cat" <kijitora@Example.ORG>') == "kijitora@example.org"
    assert addresses.normalize("Mail Delivery System <MAILER-DAEMON@mx.example.net>") == "MAILER-DAEMON@mx.example.net"
    assert addresses.normalize("rfc822; Bob <bob@example.com>") == "bob@example.com"
    assert addresses.normalize("Bob <not an address>") is None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("bounces+alice=example.com@lists.example.org", "alice@example.com"),
        ("list-bounces+mary-jane=example.com@lists.example.org", "mary-jane@example.com"),
        ("bounce-mary-jane=example.com@news.example.org", "mary-jane@example.com"),
        ("bounce.alice=example.com@news.example.org", "alice@example.com"),
        ("return_alice=sub.example.co.uk@news.example.org", "alice@sub.example.co.uk"),
        ("<bounces+bob=example.net@lists.example.org>", "bob@example.net"),
        ("prvs=1a2b3c4d=alice@example.org", None),  # BATV tag: the sender itself, not VERP
        ("alice@example.org", None),
        ("bounces+=example.com@lists.example.org", None),
    ],
)
def test_verp_recipient(address: str, expected: str | None) -> None:
    assert verp_recipient(address) == expected
