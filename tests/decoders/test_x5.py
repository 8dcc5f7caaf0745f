"""The x5 decoder: the tricky parts of its layout, beyond what ``fixtures/x5/`` pins down."""

from __future__ import annotations

from dsnparse.decoders import x5
from dsnparse.message import load

from ..conftest import FIXTURES
from ._samples import raw


def test_x5_leaves_a_report_that_lists_its_own_recipient() -> None:
    text = (FIXTURES / "x5" / "wrapped-bounce.eml").read_text()
    listed = text.replace(
        "----- The following addresses had permanent delivery errors -----\n\n\n--OUTER_1",
        "----- The following addresses had permanent delivery errors -----\nhal@example.org\n\n--OUTER_1",
    )
    assert listed != text
    assert not x5.matches(load(raw(listed)))
    assert x5.matches(load(raw(text)))
