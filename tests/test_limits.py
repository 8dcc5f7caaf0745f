"""Limits: exceeding one flags the report and its records with ``limit:<name>``, never raises."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import pytest

import dsnparse
from dsnparse import Limits, Report, cli, core
from dsnparse.errors import ParseError
from dsnparse.limits import DEFAULT_LIMITS, LimitHit
from dsnparse.message import load

from . import hostile
from .conftest import ROOT


def _flags(report: Report) -> set[str]:
    """Limit flags of the report, checked to be on every record too."""
    hits = {d for d in report.defects if d.startswith("limit:")}
    for record in report.records:
        assert hits <= set(record.flags), (hits, record.flags)
    return hits


def test_an_ordinary_bounce_hits_no_limit() -> None:
    report = dsnparse.parse(hostile.bounce(3))
    assert _flags(report) == set()
    assert [r.recipient for r in report.records] == ["user0@example.org", "user1@example.org", "user2@example.org"]


def test_recipients_are_cut_at_max_recipients() -> None:
    report = dsnparse.parse(hostile.bounce(30), limits=Limits(max_recipients=10))
    assert _flags(report) == {"limit:recipients"}
    assert [r.recipient for r in report.records] == [f"user{i}@example.org" for i in range(10)]


def test_default_recipient_limit_on_a_huge_report() -> None:
    report = dsnparse.parse(hostile.bounce(DEFAULT_LIMITS.max_recipients + 50))
    assert len(report.records) == DEFAULT_LIMITS.max_recipients
    assert "limit:recipients" in _flags(report)


def test_message_bytes_cuts_the_tail_and_keeps_the_head() -> None:
    raw = hostile.bounce(30)
    report = dsnparse.parse(raw, limits=Limits(max_message_bytes=len(raw) // 2))
    assert "limit:message_bytes" in _flags(report)
    assert report.records and report.records[0].recipient == "user0@example.org"
    assert len(report.records) < 30


def test_message_bytes_bounds_what_is_read_from_a_file() -> None:
    class Endless(io.RawIOBase):
        """A stream that never ends (a runaway pipe)."""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    report = dsnparse.parse(io.BufferedReader(Endless()), limits=Limits(max_message_bytes=10_000))
    assert "limit:message_bytes" in report.defects


def test_parts_are_cut_at_max_parts() -> None:
    report = dsnparse.parse(hostile.many_parts(50), limits=Limits(max_parts=10))
    assert "limit:parts" in _flags(report)
    assert 0 < len(report.records) <= 10


def test_depth_is_cut_at_max_depth() -> None:
    assert _flags(dsnparse.parse(hostile.nested_multipart(5))) == set()
    report = dsnparse.parse(hostile.nested_multipart(5), limits=Limits(max_depth=3))
    assert "limit:depth" in _flags(report)


def test_nesting_beyond_what_the_stdlib_parser_can_recurse_is_a_limit_not_an_error() -> None:
    report = dsnparse.parse(hostile.nested_multipart(1000))
    assert "limit:depth" in _flags(report)
    assert report.records, "the bounce is still reported, flagged"


def test_messages_attached_inside_attached_messages_are_not_parsed() -> None:
    """The returned message's body is kept as text, so 1,000 message/rfc822 parts nested in it
    cost nothing and hit no limit; the bounce is reported."""
    report = dsnparse.parse(hostile.nested_messages(1000))
    assert "limit:depth" not in _flags(report)
    assert report.records
    mail = load(hostile.nested_messages(1000))
    inner = mail.message.get_payload()[0]
    assert isinstance(inner.get_payload(), str) and inner["Content-Type"] == "message/rfc822"


def test_a_caller_message_object_is_not_changed() -> None:
    """Pruning applies to messages dsnparse parsed itself, never to a caller's object."""
    import email
    from email.policy import compat32

    msg = email.message_from_bytes(hostile.many_parts(30), policy=compat32)
    dsnparse.parse(msg, limits=Limits(max_parts=5))
    payload = msg.get_payload()
    assert isinstance(payload, list) and len(payload) == 30


def test_long_header_values_are_cut_and_flagged() -> None:
    report = dsnparse.parse(hostile.long_header(5000), limits=Limits(max_header_bytes=1000))
    assert "limit:header_bytes" in _flags(report)
    assert report.records[0].recipient == "user0@example.org"


def test_a_one_megabyte_header_line_is_handled() -> None:
    report = dsnparse.parse(hostile.long_header(1_000_000))
    assert "limit:header_bytes" in _flags(report)
    assert report.kind is dsnparse.Kind.FAILURE


def test_text_bytes_bounds_the_scanned_text() -> None:
    full = dsnparse.parse(hostile.plain_failures(300))
    cut = dsnparse.parse(hostile.plain_failures(300), limits=Limits(max_text_bytes=1000))
    assert "limit:text_bytes" in _flags(cut)
    assert 0 < len(cut.records) < len(full.records)


def test_every_limit_is_documented_with_its_default() -> None:
    doc = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Limits):
        default = f"{f.default:,}"
        row = re.search(rf"^\|\s*`{f.name}`\s*\|\s*{re.escape(default)}\s*\|", doc, re.M)
        assert row, f"docs/robustness.md has no limits row for {f.name} = {default}"


def test_limits_from_settings() -> None:
    limits = DEFAULT_LIMITS.updated(["recipients=5", "max_parts = 7", "message-bytes=1_000"])
    assert (limits.max_recipients, limits.max_parts, limits.max_message_bytes) == (5, 7, 1000)
    assert limits.max_depth == DEFAULT_LIMITS.max_depth
    for bad in ("recipients", "colour=3", "parts=0", "parts=-1", "parts=many"):
        with pytest.raises(ValueError, match=re.escape(repr(bad))):
            DEFAULT_LIMITS.updated([bad])


def test_the_command_line_sets_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.eml").write_bytes(hostile.bounce(5))
    assert cli.main(["-j", "1", "--limit", "recipients=2", str(tmp_path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["recipient"] for r in records] == ["user0@example.org", "user1@example.org"]
    assert all(r["flags"] == ["limit:recipients"] for r in records)
    with pytest.raises(SystemExit) as exc:
        cli.main(["--limit", "recipients=none", str(tmp_path)])
    assert exc.value.code == 2


def test_the_command_line_reads_no_more_than_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A giant message (a file, or one message of an mbox) is read only up to the limit: its
    head is reported, flagged, and the next message of the mbox is still found."""
    big = hostile.bounce(1) + b"x" * 200 + b"\n" + (b"A" * 76 + b"\n") * 50_000
    (tmp_path / "big.eml").write_bytes(big)
    sep = b"From MAILER-DAEMON@example.net Thu Jan  1 00:00:00 2026\n"
    (tmp_path / "box.mbox").write_bytes(sep + big + b"\n" + sep + hostile.bounce(1))
    assert cli.main(["-j", "1", "--limit", "message_bytes=20000", str(tmp_path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["big.eml", "box.mbox#1", "box.mbox#2"]
    assert [r["flags"] for r in records] == [["limit:message_bytes"], ["limit:message_bytes"], []]
    assert all(r["recipient"] == "user0@example.org" for r in records)


def test_sources_bound_each_message(tmp_path: Path) -> None:
    from dsnparse.io.sources import read_paths

    sep = b"From MAILER-DAEMON@example.net Thu Jan  1 00:00:00 2026\n"
    (tmp_path / "box.mbox").write_bytes(
        sep + b"Subject: a\n\n" + b"line\n" * 10_000 + b"\n" + sep + b"Subject: b\n\nend\n"
    )
    (tmp_path / "one.eml").write_bytes(b"Subject: c\n\n" + b"z" * 100_000)
    items = list(read_paths([str(tmp_path)], Limits(max_message_bytes=1000)))
    assert [Path(i.source).name for i in items] == ["box.mbox#1", "box.mbox#2", "one.eml"]
    assert [len(i.raw or b"") <= 1000 + 5 for i in items] == [True, True, True]
    assert (items[1].raw or b"").endswith(b"end\n")
    unbounded = list(read_paths([str(tmp_path)]))
    assert len(unbounded[0].raw or b"") > 50_000 and len(unbounded[2].raw or b"") > 100_000


def test_every_limit_has_its_hit() -> None:
    limits = {f.name.removeprefix("max_") for f in dataclasses.fields(Limits)}
    assert limits == {h.value.removeprefix("limit:") for h in LimitHit}


def test_strict_parse_re_raises_what_a_batch_records_as_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("a decoder bug")

    monkeypatch.setattr(core, "analyse", broken)
    raw = b"From: a@example.org\nTo: b@example.org\nSubject: hi\n\nhello\n"
    with pytest.raises(ParseError, match="IndexError: a decoder bug"):
        core.parse(raw)
    with pytest.raises(IndexError, match="a decoder bug"):
        core.parse(raw, strict=True)
