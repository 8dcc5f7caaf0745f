"""``dsnparse report``: the counters (dsnparse.summary), the store's GROUP BY, and the formats."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import dsnparse
from dsnparse.cli import main
from dsnparse.io import report_formats
from dsnparse.io.reporting import from_items, from_store
from dsnparse.io.sources import read_paths
from dsnparse.io.store import Entry, MessageKey, Store
from dsnparse.record import BounceRecord, Kind, Report
from dsnparse.summary import Counters, Table, parse_since, row_of, suppression_tables
from dsnparse.suppression import Suppression

from .conftest import FIXTURES


def record(**fields: Any) -> dict[str, Any]:
    """A record dict as the parser writes it (the defaults of BounceRecord for the rest)."""
    return BounceRecord(**fields).to_dict()


def failure(recipient: str, reason: str = "userunknown", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"action": "failed", "bounce_type": "hard", "side": "recipient",
                            "date": "2026-12-01T09:00:00Z"}
    return record(recipient=recipient, reason=reason, **{**base, **fields})


def sections(summary: Counters) -> dict[str, Table]:
    return {t.name: t for t in summary.tables()}


def test_messages_and_records_are_counted_apart_by_kind() -> None:
    s = Counters()
    s.add_report(Kind.FAILURE, [failure("a@example.com"), failure("b@example.com")])
    s.add_report(Kind.DELAY, [record(recipient="c@example.com", action="delayed", date="2026-12-01T10:00:00Z")])
    s.add_report(Kind.NOT_BOUNCE, [])
    totals = {row[0]: row[1:] for row in sections(s)["totals"].rows}
    assert totals["failure"] == (1, 2)
    assert totals["delay"] == (1, 1)
    assert totals["not_bounce"] == (1, 0)
    assert totals["complaint"] == (0, 0)


def test_only_failed_recipients_count_as_failures() -> None:
    s = Counters()
    s.add_report(Kind.FAILURE, [failure("a@example.com"), record(recipient="b@example.com", action="delivered")])
    s.add_report(Kind.DELAY, [record(recipient="c@example.com", action="delayed", reason="expired")])
    assert sections(s)["failures_by_reason"].rows == (("userunknown", 1),)


def test_failures_are_broken_down_by_each_field() -> None:
    s = Counters()
    s.add_report(Kind.FAILURE, [
        failure("a@Gmail.example.com", provider="google"),
        failure("b@gmail.example.com", "blocked", side="sender", provider="google", blocked_by="spamhaus-zen"),
        failure("c@example.org", "mailboxfull", bounce_type="soft"),
    ])
    got = sections(s)
    assert got["failures_by_side"].rows == (("recipient", 2), ("sender", 1))
    assert got["failures_by_bounce_type"].rows == (("hard", 2), ("soft", 1))
    assert got["failures_by_provider"].rows == (("google", 2), ("(none)", 1))
    assert got["failures_by_blocked_by"].rows == (("(none)", 2), ("spamhaus-zen", 1))
    assert got["failures_by_domain"].rows == (("gmail.example.com", 2), ("example.org", 1))


def test_short_spans_are_counted_by_hour_long_ones_by_day() -> None:
    s = Counters()
    s.add_report(Kind.FAILURE, [failure("a@example.com", date="2026-12-01T09:10:00Z"),
                                failure("b@example.com", date="2026-12-01T09:50:00Z"),
                                failure("c@example.com", date="2026-12-02T23:00:00Z")])
    assert sections(s)["failures_by_time"].rows == (("2026-12-01 09:00", 2), ("2026-12-02 23:00", 1))
    s.add_report(Kind.FAILURE, [failure("d@example.com", date="2026-12-09T01:00:00Z"),
                                failure("e@example.com", date=None)])
    table = sections(s)["failures_by_time"]
    assert table.columns == ("day", "failures")
    assert table.rows == (("2026-12-01", 2), ("2026-12-02", 1), ("2026-12-09", 1), ("undated", 1))


def test_since_leaves_out_older_and_undated_records_and_their_messages() -> None:
    s = Counters(since="2026-12-01T00:00:00Z")
    s.add_report(Kind.FAILURE, [failure("old@example.com", date="2026-11-30T23:59:59Z")])
    s.add_report(Kind.FAILURE, [failure("undated@example.com", date=None)])
    s.add_report(Kind.FAILURE, [failure("new@example.com", date="2026-12-01T00:00:00Z")])
    s.add_report(Kind.NOT_BOUNCE, [])
    totals = {row[0]: row[1:] for row in sections(s)["totals"].rows}
    assert totals["failure"] == (1, 1)
    assert totals["not_bounce"] == (0, 0)
    assert (s.first, s.last) == ("2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z")


def test_header_values_are_grouped_whatever_the_case_of_the_name() -> None:
    s = Counters(header_names=["x-campaign"])
    s.add_report(Kind.FAILURE, [failure("a@example.com", headers={"X-Campaign": "spring"})])
    s.add_report(Kind.DELAY, [record(recipient="b@example.com", action="delayed", headers={"x-CAMPAIGN": "spring"})])
    s.add_report(Kind.FAILURE, [failure("c@example.com")])
    table = sections(s)["by_header_x-campaign"]
    assert table.rows == (("spring", 2, 1), ("(none)", 1, 1))


def test_dead_addresses_and_complaints_are_listed_once_as_suppressed() -> None:
    s = Counters()
    s.add_report(Kind.FAILURE, [failure("Dead@example.com", suppress=True), failure("dead@example.com", suppress=True)])
    s.add_report(Kind.FAILURE, [failure("blocked@example.com", "blocked", side="sender", suppress=False)])
    s.add_report(Kind.COMPLAINT, [record(recipient="angry@example.com", reason="feedback",
                                         date="2026-12-02T00:00:00Z")])
    assert sorted((a, e.cause) for a, e in s.suppressed.items()) == [
        ("angry@example.com", "complaint"), ("dead@example.com", "hard")]


def test_suppressions_before_the_period_are_left_out() -> None:
    def entry(address: str, since: str) -> Suppression:
        return Suppression(address=address, recipient=address, cause="hard", since=since, first_bounce=since,
                           last_bounce=since, count=1, last_reason="userunknown", last_status="5.1.1",
                           last_source=None)

    tables = suppression_tables([entry("old@example.com", "2026-01-01T00:00:00Z"),
                                 entry("new@example.com", "2026-12-01T00:00:00Z")], "2026-06-01T00:00:00Z")
    assert tables[0].rows == (("hard", 1),)
    assert [row[0] for row in tables[1].rows] == ["new@example.com"]


def test_since_reads_relative_and_absolute_times() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == "2026-11-26T12:00:00Z"
    assert parse_since("90m", now) == "2026-12-03T10:30:00Z"
    assert parse_since("2026-12-01", now) == "2026-12-01T00:00:00Z"
    assert parse_since("2026-12-01T10:00:00+02:00", now) == "2026-12-01T08:00:00Z"
    with pytest.raises(ValueError):
        parse_since("last tuesday", now)


def test_a_row_of_a_record_takes_the_domain_lower_cased() -> None:
    row = row_of(Kind.FAILURE, failure("Ann@Example.ORG"))
    assert row.domain == "example.org" and row.is_failure


# -- the store and the stream agree ------------------------------------------------------------


@pytest.fixture(scope="module")
def fixtures_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("store") / "bounces.db")
    with Store(path) as store:
        batch = []
        for item in read_paths([str(FIXTURES)]):
            assert item.raw is not None
            report = dsnparse.parse(item.raw, source=item.source, original_headers=["X-Campaign"])
            batch.append(Entry(MessageKey(item.source), report=report, received="2026-12-01T00:00:00Z"))
        store.add(batch)
    return path


def test_the_store_counts_what_the_stream_counts(fixtures_store: str) -> None:
    streamed = {t.name: t.rows for t in from_items(read_paths([str(FIXTURES)]), header_names=["X-Campaign"]).tables()}
    with Store(fixtures_store) as store:
        stored = {t.name: t.rows for t in from_store(store, header_names=["X-Campaign"]).tables()}
    # dates differ on purpose: the store dates an undated record by when its message was received,
    # and reads the incidents' records in time order where files come in the order read
    for name in ("failures_by_time", "suppressions_by_cause", "suppressions", "incidents", "content_incidents"):
        streamed.pop(name), stored.pop(name)
    assert stored == streamed
    assert dict((r[0], r[1]) for r in stored["totals"])["failure"] > 100
    assert ("spring-offer", 2, 2) in stored["by_header_x-campaign"]


def test_incidents_come_first_with_the_reply_and_the_catalogue_url(fixtures_store: str) -> None:
    with Store(fixtures_store) as store:
        tables = from_store(store).tables()
    assert [t.name for t in tables[:2]] == ["incidents", "content_incidents"]
    rows = [dict(zip(tables[0].columns, row, strict=True)) for row in tables[0].rows]
    hostile = next(r for r in rows if r["identity"] == "192.0.2.77")
    assert "<script>" in hostile["reply"] and hostile["provider"] == "example.org"
    assert any(r["help_url"] == "https://check.spamhaus.org/" for r in rows)
    assert all(r["help_url"] is None or r["help_url"].startswith("https://") for r in rows)


def test_the_store_report_respects_since(fixtures_store: str) -> None:
    with Store(fixtures_store) as store:
        late = store.counters(since="2026-03-17T00:00:00Z")
    dates = [row for row in sections(late)["failures_by_time"].rows]
    assert dates and all(day >= "2026-03-17" for day, _ in dates)
    assert sum(n for _, n in dates) == sum(n for _, n in sections(late)["failures_by_reason"].rows)


def test_a_store_of_no_records_reports_zeros(tmp_path: Path) -> None:
    with Store(str(tmp_path / "empty.db")) as store:
        store.add([Entry(MessageKey("x"), report=Report(kind=Kind.NOT_BOUNCE))])
        got = sections(store.counters())
    assert dict((r[0], r[1]) for r in got["totals"].rows)["not_bounce"] == 1
    assert got["failures_by_reason"].rows == ()


# -- formats ------------------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_has_every_section_with_rows_as_objects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(FIXTURES / "report"), "-j", "1", "--format", "json", "--header", "X-Campaign")
    assert code == 0
    doc = json.loads(out)
    assert doc["period"]["first"] == "2026-03-17T09:30:00Z"
    rows = doc["sections"]["failures_by_reason"]["rows"]
    assert {"reason": "blocked", "failures": 1} in rows
    assert doc["sections"]["by_header_x-campaign"]["rows"][0] == {"X-Campaign": "spring-offer", "records": 2,
                                                                   "failures": 2}


def test_csv_is_one_table_per_section_with_the_formula_guard(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    (tmp_path / "evil.eml").write_bytes(
        (FIXTURES / "report" / "campaign-spring.eml").read_bytes().replace(
            b"X-Campaign: spring-offer", b'X-Campaign: =HYPERLINK("http://example.com/x","click")'))
    code, out, _ = _run(capsys, str(tmp_path), "-j", "1", "--format", "csv", "--header", "X-Campaign")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    names = [r[0] for r in rows if len(r) == 1 and r[0].startswith("[")]
    assert names[:5] == ["[period]", "[incidents]", "[content_incidents]", "[totals]", "[failures_by_reason]"]
    start = rows.index(["[by_header_x-campaign]"])
    assert rows[start + 1] == ["X-Campaign", "records", "failures"]
    assert rows[start + 2][0] == "'=HYPERLINK(\"http://example.com/x\",\"click\")"


def test_the_table_strips_terminal_escapes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "esc.eml").write_bytes(
        (FIXTURES / "report" / "campaign-spring.eml").read_bytes().replace(
            b"X-Campaign: spring-offer", b"X-Campaign: \x1b]0;owned\x07spring\x1b[2J"))
    code, out, _ = _run(capsys, str(tmp_path), "-j", "1", "--header", "X-Campaign")
    assert code == 0
    assert "== Failures by reason ==" in out and "\x1b" not in out and "\x07" not in out
    assert re.search(r"^spring\s+2\s+2$", out, re.M)


def test_paths_and_a_store_are_one_or_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report"])
    assert exc.value.code == 2
    code, _, err = _run(capsys, "--db", "/nonexistent/store.db")
    assert code == 2 and "no store" in err


def test_an_unreadable_input_is_counted_named_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(FIXTURES / "report"), "/nonexistent.eml", "-j", "1", "--format", "json")
    assert code == 1 and "/nonexistent.eml" in err
    totals = {r["kind"]: r["messages"] for r in json.loads(out)["sections"]["totals"]["rows"]}
    assert totals["unreadable"] == 1 and totals["failure"] == 2


def test_html_without_plotly_says_what_to_install(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "plotly", None)
    monkeypatch.delitem(sys.modules, "dsnparse.io.report_html", raising=False)
    code, out, err = _run(capsys, str(FIXTURES / "report"), "--format", "html")
    assert code == 2 and out == ""
    assert "pip install 'dsnparse[report]'" in err


def test_html_pins_its_scripts_and_escapes_mail_text(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    from dsnparse.io.report_html import script_hash

    target = tmp_path / "r.html"
    assert main(["report", str(FIXTURES / "report"), "-j", "1", "--format", "html", "--header", "X-Campaign",
                 "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "default-src 'none'" in policy.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    assert sorted(re.findall(r"'sha256-[^']+'", policy.group(1))) == sorted(script_hash(s) for s in scripts)
    assert "<img src=x" not in page and "onerror=\"window" not in page
    assert "&lt;img src=x onerror=&quot;window.pwned=&#x27;campaign&#x27;&quot;&gt;march-news" in page
    assert "https://" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # no link but trusted ones


def test_report_formats_are_the_documented_ones() -> None:
    assert report_formats.FORMATS == ("table", "json", "csv", "html")
