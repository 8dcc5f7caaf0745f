"""Shared test helpers: paths to the bundled fixtures and the optional shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai"


def fixture_bytes(relative: str) -> bytes:
    """The raw bytes of a bundled fixture message."""
    return (FIXTURES / relative).read_bytes()


@pytest.fixture
def fixture() -> object:
    """``fixture("rfc3464/userunknown.eml")`` -> bytes."""
    return fixture_bytes
