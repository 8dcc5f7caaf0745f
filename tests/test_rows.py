"""The one table loader: TOML entries into typed rows, misspelled or mistyped keys refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dsnparse.rows import TableError, read_rows


@dataclass(frozen=True, slots=True)
class _Rule:
    reason: str
    phrases: tuple[str, ...] = ()
    status: str | None = None
    strict: bool = False


@dataclass(frozen=True, slots=True)
class _Provider:
    name: str
    rule: tuple[_Rule, ...] = ()


def test_an_array_of_tables_becomes_typed_rows_in_order() -> None:
    rows = read_rows([{"name": "a", "rule": [{"reason": "x", "phrases": ["p"]}]}, {"name": "b"}], _Provider)
    assert rows == (_Provider("a", (_Rule("x", ("p",)),)), _Provider("b"))


def test_a_section_of_named_tables_puts_each_key_in_the_first_field() -> None:
    assert read_rows({"x": {"phrases": ["p", "q"]}}, _Rule) == (_Rule("x", ("p", "q")),)


def test_a_section_of_named_values_pairs_key_and_value() -> None:
    assert read_rows({"x": ["p"]}, _Rule) == (_Rule("x", ("p",)),)


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"reason": "x", "phrase": ["p"]}, "unknown key 'phrase'"),
        ({"phrases": ["p"]}, "missing key 'reason'"),
        ({"reason": "x", "phrases": "p"}, "expected a list"),
        ({"reason": "x", "phrases": [1]}, "expected str"),
        ({"reason": "x", "status": 511}, "expected str"),
        ({"reason": "x", "strict": 1}, "expected bool"),
    ],
)
def test_a_wrong_entry_is_refused_with_where_and_why(entry: dict[str, object], complaint: str) -> None:
    with pytest.raises(TableError, match=complaint) as caught:
        read_rows([entry], _Rule, "rules.toml:rule")
    assert str(caught.value).startswith("rules.toml:rule[0]")


def test_a_nested_misspelling_is_refused_too() -> None:
    with pytest.raises(TableError, match=r"\.rule\[0\]: unknown key 'reasn'"):
        read_rows([{"name": "a", "rule": [{"reasn": "x"}]}], _Provider)
