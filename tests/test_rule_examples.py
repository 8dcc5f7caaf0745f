"""Every rule row carries the reply it was written for, and that reply is decided by that row: a
rule shadowed by an earlier one, or one that nothing reaches, fails here."""

from __future__ import annotations

import pytest

from dsnparse import commands
from dsnparse.classify import providers
from dsnparse.decoders._shared import markers
from dsnparse.facts import Facts, find_reply_code, find_status
from dsnparse.rows import document


def _provider_rules() -> list[tuple[str, int]]:
    return [(p.name, i) for p in providers.rows() for i in range(len(p.rule))]


@pytest.mark.parametrize(("provider", "index"), _provider_rules())
def test_each_provider_rule_decides_its_own_example(provider: str, index: int) -> None:
    row = next(p for p in providers.rows() if p.name == provider)
    compiled = next(p for p in providers.table() if p.name == provider)
    text = row.rule[index].example
    facts = Facts(diagnostic=text, status=find_status(text), reply_code=find_reply_code(text),
                  smtp_command=commands.answered(text))
    found = providers.deciding_rule(facts, compiled.hosts[0])
    assert found is not None, text
    assert found[0] is compiled and found[1] is compiled.rules[index], text


def _decoder_rows() -> list[tuple[str, int]]:
    return [(name, i) for name in document("decoder_reasons.toml") for i in range(len(markers.reason_rows(name)))]


@pytest.mark.parametrize(("decoder", "index"), _decoder_rows())
def test_each_decoder_reason_row_decides_its_own_example(decoder: str, index: int) -> None:
    row = markers.reason_rows(decoder)[index]
    table = markers.reason_table(decoder)
    # the two ways decoders read their table: the first reason in table order, the first phrase in the text
    assert table.first(row.example) == row.reason, row.example
    assert table.find(row.example) == row.reason, row.example


def test_every_row_has_an_example() -> None:
    assert all(r.example.strip() for p in providers.rows() for r in p.rule)
    assert all(r.example.strip() for name in document("decoder_reasons.toml") for r in markers.reason_rows(name))
