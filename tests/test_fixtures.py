"""Every bundled fixture gives the records written beside it (fixtures/<family>/<case>.json)."""

from __future__ import annotations

import json

import pytest

from dsnparse.io.check import actual, compare, fixtures

from .conftest import FIXTURES

CASES = sorted(fixtures(str(FIXTURES)))


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize(("message", "expected"), CASES, ids=[c[0].split("fixtures/")[-1] for c in CASES])
def test_fixture(message: str, expected: str) -> None:
    with open(expected, encoding="utf-8") as fh:
        want = json.load(fh)
    got = actual(message)
    assert compare(want, got) == []
