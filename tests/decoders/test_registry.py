"""The decoder registry: ORDER is the only list, every decoder module is in it once, generic last,
each module is a decoder (NAME, matches, decode), and each is reached by its own fixtures."""

from __future__ import annotations

import inspect
import pkgutil

import pytest

from dsnparse import decoders, parse
from dsnparse.decoders import DECODERS, LAST_RESORT, ORDER, SPECIFIC

from ..conftest import FIXTURES


def test_every_decoder_module_is_in_order_once() -> None:
    found = [m.name for m in pkgutil.iter_modules(decoders.__path__) if not m.name.startswith("_")]
    assert sorted(found) == sorted(ORDER)
    assert len(set(ORDER)) == len(ORDER)


def test_generic_is_the_last_resort_and_nowhere_else() -> None:
    assert ORDER[-1] == "generic"
    assert LAST_RESORT.NAME == "generic"
    assert LAST_RESORT not in SPECIFIC
    assert (*SPECIFIC, LAST_RESORT) == DECODERS


@pytest.mark.parametrize("decoder", DECODERS, ids=ORDER)
def test_each_decoder_conforms_to_the_protocol(decoder: decoders.Decoder) -> None:
    assert decoder.__name__.rsplit(".", 1)[1] == decoder.NAME  # type: ignore[attr-defined]
    for method in ("matches", "decode"):
        assert list(inspect.signature(getattr(decoder, method)).parameters) == ["mail"], method


@pytest.mark.parametrize("name", ORDER)
def test_each_decoder_is_reached_through_the_pipeline_by_its_own_fixtures(name: str) -> None:
    # the table of samples: fixtures/<name>/*.eml; one that no earlier decoder takes proves the
    # decoder is reachable in ORDER (the expectations of each case are in its .json, run by
    # tests/test_fixtures.py)
    samples = sorted((FIXTURES / name).glob("*.eml"))
    assert samples, f"fixtures/{name}/ has no sample"
    readers = {r.decoder for path in samples for r in parse(path.read_bytes()).records}
    assert name in readers
