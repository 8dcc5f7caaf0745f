"""DataFrames: ``dsnparse.frame`` and ``Store.frame`` give typed columns; the JSON Lines output
reads back into pandas with the types that matter."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import dsnparse
from dsnparse.cli import main
from dsnparse.io.store import Entry, MessageKey, Store

from .conftest import FIXTURES

pd = pytest.importorskip("pandas")

from dsnparse.io.frame import JSONL_DTYPES  # noqa: E402 - needs pandas

CASES = sorted((FIXTURES / "report").glob("*.eml")) + sorted((FIXTURES / "rfc3464").glob("*.eml"))


@pytest.fixture(scope="module")
def reports() -> list[dsnparse.Report]:
    return [dsnparse.parse(p.read_bytes(), source=str(p), original_headers=["X-Campaign"]) for p in CASES]


def test_columns_are_typed(reports: list[dsnparse.Report]) -> None:
    df = dsnparse.frame(reports)
    assert list(df.columns) == ["kind", *(f for f in dsnparse.FIELDS if f != "headers")]
    for name in ("kind", "reason", "side", "bounce_type"):
        assert isinstance(df[name].dtype, pd.CategoricalDtype), name
    assert "not_bounce" in df["kind"].cat.categories and "network" in df["side"].cat.categories
    assert isinstance(df["date"].dtype, pd.DatetimeTZDtype) and str(df["date"].dt.tz) == "UTC"
    assert df["suppress"].dtype == bool
    assert df["reply_code"].dtype == "string"
    assert len(df) == sum(len(r.records) for r in reports)


def test_each_record_carries_its_reports_kind(reports: list[dsnparse.Report]) -> None:
    df = dsnparse.frame(reports)
    expected = [str(r.kind) for r in reports for _ in r.records]
    assert df["kind"].astype(str).tolist() == expected


def test_headers_become_columns_on_request(reports: list[dsnparse.Report]) -> None:
    assert not any(c.startswith("headers.") for c in dsnparse.frame(reports).columns)
    df = dsnparse.frame(reports, headers=True)
    spring = df[df["recipient"] == "otto@example.net"]
    assert spring["headers.X-Campaign"].tolist() == ["spring-offer"]
    named = dsnparse.frame(reports, headers=["x-campaign"])
    assert named["headers.x-campaign"].dropna().nunique() == 2


def test_bare_records_and_dicts_are_accepted(reports: list[dsnparse.Report]) -> None:
    records = [rec for r in reports for rec in r.records]
    from_records = dsnparse.frame(records)
    from_dicts = dsnparse.frame(rec.to_dict() for rec in records)
    assert from_records["kind"].isna().all()
    pd.testing.assert_frame_equal(from_records, from_dicts)


def test_the_store_frame_is_the_frame_of_its_reports(tmp_path: Path, reports: list[dsnparse.Report]) -> None:
    with Store(str(tmp_path / "s.db")) as store:
        store.add([Entry(MessageKey(str(i)), report=r) for i, r in enumerate(reports)])
        stored = store.frame(headers=True)
    pd.testing.assert_frame_equal(stored, dsnparse.frame(reports, headers=True), check_categorical=False)


def test_a_three_line_analysis_runs(reports: list[dsnparse.Report]) -> None:
    df = dsnparse.frame(reports)
    failed = df[(df.kind == "failure") & (df.action == "failed")]
    by_day = failed.groupby([failed.date.dt.date, "side"], observed=True).size()
    assert by_day.sum() == len(failed.dropna(subset=["date"])) > 0


def test_json_lines_read_back_with_their_types() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main([*map(str, CASES), "-j", "1"]) == 0
    text = out.getvalue()
    df = pd.read_json(io.StringIO(text), lines=True, dtype=JSONL_DTYPES)
    assert isinstance(df["date"].dtype, pd.DatetimeTZDtype) and str(df["date"].dt.tz) == "UTC"
    assert df["suppress"].dtype == bool
    assert df["reply_code"].dropna().map(type).eq(str).all()
    first = json.loads(text.splitlines()[0])
    assert df["reply_code"][0] == first["reply_code"]
    # without the dtype a reply code is a float: the one type the JSON reader guesses wrong
    assert pd.read_json(io.StringIO(text), lines=True)["reply_code"].dtype == float
