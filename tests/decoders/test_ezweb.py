"""The ezweb decoder: the tricky parts of its layout, beyond what ``fixtures/ezweb/`` pins down."""

from __future__ import annotations

from dsnparse import parse

from ..conftest import FIXTURES


def test_ezweb_rejection_with_a_reply_is_not_called_filtered() -> None:
    rec = parse((FIXTURES / "ezweb" / "user-unknown.eml").read_bytes()).records[0]
    assert rec.reason != "filtered"
    assert rec.reply_code == "550"
