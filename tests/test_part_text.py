"""``part_text``'s shortcut for plain ASCII parts gives what its general path (through bytes,
transfer and charset decoding) gives, for every part of every fixture and of mutated fixtures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsnparse import message
from dsnparse.message import load, part_text

from .conftest import FIXTURES
from .test_robustness import MUTATIONS, SAMPLES


def _both(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    parts = list(load(raw).message.walk())
    fast = [part_text(p, 4000) for p in parts]
    with monkeypatch.context() as m:
        m.setattr(message, "_plain_ascii", lambda part: None)
        general = [part_text(p, 4000) for p in parts]
    return fast, general


def test_every_fixture_part(monkeypatch: pytest.MonkeyPatch) -> None:
    shortcuts = 0
    for path in sorted(FIXTURES.rglob("*.eml")):
        fast, general = _both(path.read_bytes(), monkeypatch)
        assert fast == general, path
        shortcuts += sum(message._plain_ascii(p) is not None for p in load(path.read_bytes()).message.walk())
    assert shortcuts > 300  # the shortcut is taken, not only declined


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_parts(monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SAMPLES), label="fixture").read_bytes()
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3), label="mutations"):
        raw = MUTATIONS[name](raw, data)
    fast, general = _both(raw, monkeypatch)
    assert fast == general
