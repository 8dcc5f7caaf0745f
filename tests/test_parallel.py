"""Worker-process parsing (``dsnparse -j N``) and the per-partition unit for engines."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from dsnparse.cli import main
from dsnparse.errors import ParseError
from dsnparse.io import parallel
from dsnparse.io.parallel import Options, Parsed, outcome, outcomes, records_of_blobs
from dsnparse.io.sources import Item
from dsnparse.record import Kind

from .conftest import FIXTURES

MESSAGES = sorted(p for p in FIXTURES.rglob("*.eml"))
needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def _items(count: int) -> list[Item]:
    """``count`` fixture messages in a fixed rotation, each with its own source key."""
    raws = [p.read_bytes() for p in MESSAGES]
    return [Item(f"m{i}", raws[i % len(raws)]) for i in range(count)]


def _mbox(count: int) -> bytes:
    raws = [p.read_bytes().replace(b"\r\n", b"\n") for p in MESSAGES]
    out = []
    for i in range(count):
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + raws[i % len(raws)].rstrip(b"\n") + b"\n\n")
    return b"".join(out)


def test_workers_give_the_same_outcomes_in_input_order() -> None:
    items = _items(3 * parallel.BATCH_MESSAGES + 5)
    items.insert(70, Item("missing.eml", error="cannot open: No such file or directory"))
    sequential = list(outcomes(items, jobs=1))
    pooled = list(outcomes(items, jobs=2))
    assert [o.source for o in pooled] == [i.source for i in items]
    assert pooled == sequential
    assert pooled[70] == Parsed("missing.eml", "not_bounce", (), "cannot open: No such file or directory", True)
    assert any(o.records and o.records[0]["recipient"] for o in pooled)


def test_outcomes_are_lazy_and_bounded() -> None:
    """Items are pulled only as results are consumed (no whole-mailbox read-ahead)."""
    pulled = 0
    template = _items(1)[0]

    def endless() -> object:
        nonlocal pulled
        while True:
            pulled += 1
            yield Item(f"m{pulled}", template.raw)

    stream = outcomes(endless(), jobs=2)  # type: ignore[arg-type]
    first = [next(stream) for _ in range(10)]
    stream.close()
    assert [o.source for o in first] == [f"m{i}" for i in range(1, 11)]
    window = 2 * parallel.BATCHES_PER_WORKER + 2
    assert pulled <= window * parallel.BATCH_MESSAGES


def test_parse_error_keeps_its_unparsed_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ParseError("MIME structure nested too deeply for the parser")

    monkeypatch.setattr(parallel, "parse", broken)
    got = outcome(Item("deep.eml", b"Subject: x\n\nbody\n"), Options())
    assert got.error == "MIME structure nested too deeply for the parser"
    assert got.kind == Kind.NOT_BOUNCE
    assert [r["flags"] for r in got.records] == [["unparsed"]]
    assert not got.unreadable


def _die_on_poison(batch: list[Item], options: Options) -> list[Parsed]:
    """A batch function whose worker dies (as if killed) on the message named ``poison``."""
    if any(item.source == "poison" for item in batch):
        os._exit(3)
    return [outcome(item, options) for item in batch]


@needs_fork
def test_a_dead_worker_loses_only_the_message_that_killed_it(monkeypatch: pytest.MonkeyPatch) -> None:
    items = _items(4 * parallel.BATCH_MESSAGES)
    items[parallel.BATCH_MESSAGES + 3] = Item("poison", items[0].raw)
    expected = list(outcomes(items, jobs=1))
    monkeypatch.setattr(parallel, "_parse_batch", _die_on_poison)
    got = list(outcomes(items, jobs=2))
    assert [o.source for o in got] == [i.source for i in items]
    lost = got.pop(parallel.BATCH_MESSAGES + 3)
    assert lost.source == "poison" and lost.unreadable and "worker process died" in (lost.error or "")
    del expected[parallel.BATCH_MESSAGES + 3]
    assert got == expected


def test_cli_jobs_output_matches_single_process(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    box = os.path.join(str(tmp_path), "bounces.mbox")
    with open(box, "wb") as fh:
        fh.write(_mbox(2 * parallel.BATCH_MESSAGES + 9))
    assert main(["-j", "1", "--all", box]) == 0
    single = capsys.readouterr().out.splitlines()
    assert main(["-j", "2", "--all", box]) == 0
    pooled = capsys.readouterr().out.splitlines()
    assert pooled == single
    sources = [json.loads(line)["source"] for line in pooled]
    assert sources[0] == f"{box}#1" and sources[-1] == f"{box}#{2 * parallel.BATCH_MESSAGES + 9}"


def test_records_of_blobs_splits_mbox_files() -> None:
    single = MESSAGES[0].read_bytes()
    got = list(records_of_blobs([("one.eml", single), ("box.mbox", _mbox(3)), ("junk", b"\x00\xff")]))
    sources = [r["source"] for r in got]
    assert sources[0] == "one.eml"
    assert {"box.mbox#1", "box.mbox#2", "box.mbox#3"} <= set(sources)
    assert all(isinstance(r, dict) and "reason" in r for r in got)
    assert got[: sources.count("one.eml")] == list(records_of_blobs([("one.eml", single)]))
