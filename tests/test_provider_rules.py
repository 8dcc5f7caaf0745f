"""Provider rules keep Sisimai's reason in ``reason`` and dsnparse's documented reading in
``own_reason``: the field in every output, and the table's readings checked against each other."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import dsnparse
from dsnparse.classify import providers
from dsnparse.classify.reasons import tables
from dsnparse.io.sinks import TABLE_COLUMNS, CsvSink
from dsnparse.io.store import PARSED, Entry, MessageKey, Store
from dsnparse.record import FIELDS

_GMAIL_SPF = Path(__file__).parent.parent / "fixtures" / "sender-side" / "gmail-spf.eml"


def _report() -> dsnparse.Report:
    return dsnparse.parse(_GMAIL_SPF.read_bytes())


def test_own_reason_follows_reason_in_the_contract_order() -> None:
    assert FIELDS.index("own_reason") == FIELDS.index("reason") + 1
    assert TABLE_COLUMNS.index("own_reason") == TABLE_COLUMNS.index("reason") + 1


def test_every_own_reading_is_a_known_reason_that_differs_from_sisimais() -> None:
    known = tables().reasons
    for row in providers.rows():
        for rule in row.rule:
            if rule.own_reason is not None:
                assert rule.own_reason in known and rule.own_reason != rule.reason, rule.example


def test_csv_and_store_carry_own_reason(tmp_path: Path) -> None:
    (record,) = _report().records
    assert (record.reason, record.own_reason) == ("notaccept", "authfailure")
    out = io.StringIO()
    CsvSink(out).write(record.to_dict())
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["reason"], row["own_reason"]) == ("notaccept", "authfailure")
    with Store(str(tmp_path / "s.sqlite")) as store:
        store.add([Entry(MessageKey("m"), PARSED, report=_report())])
        [(_, stored)] = list(store.records())
    assert stored.own_reason == "authfailure"

