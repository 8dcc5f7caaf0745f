"""``dsnparse.io.dask.read_bounces``: a bag of record dicts, computed with Dask's local schedulers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")

from dsnparse.io.dask import expand, partitions, read_bounces
from dsnparse.io.parallel import outcomes
from dsnparse.io.sources import read_paths

from .conftest import FIXTURES

MESSAGES = sorted(FIXTURES.rglob("*.eml"))[:6]


def _expected(paths: list[str]) -> list[dict[str, object]]:
    return [r for o in outcomes(read_paths(paths)) for r in o.records]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A small archive: loose .eml files in two folders and one mbox of three messages."""
    for i, msg in enumerate(MESSAGES):
        folder = tmp_path / ("a" if i % 2 else "b")
        folder.mkdir(exist_ok=True)
        shutil.copy(msg, folder / f"{i:02d}.eml")
    with open(tmp_path / "box.mbox", "wb") as fh:
        for msg in MESSAGES[:3]:
            fh.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + msg.read_bytes().rstrip(b"\n") + b"\n\n")
    return tmp_path


def test_globs_give_the_records_the_cli_gives(archive: Path) -> None:
    bag = read_bounces([str(archive / "*" / "*.eml"), str(archive / "box.mbox")])
    got = bag.compute(scheduler="sync")
    files = [*sorted(str(p) for p in archive.glob("*/*.eml")), str(archive / "box.mbox")]
    assert got == _expected(files)
    assert {f"{archive / 'box.mbox'}#{n}" for n in (1, 2, 3)} <= {r["source"] for r in got}
    assert all("reason" in r and "suppress" in r for r in got)


def test_small_partitions_keep_every_record_in_order(archive: Path) -> None:
    whole = read_bounces(str(archive)).compute(scheduler="sync")
    split = read_bounces(str(archive), partition_bytes=1)
    assert split.npartitions == len(expand(str(archive))) == len(MESSAGES) + 1
    assert split.compute(scheduler="threads") == whole
    assert whole == _expected([str(archive)])


def test_process_scheduler_pickles_the_work(archive: Path) -> None:
    bag = read_bounces(str(archive / "**" / "*.eml"), partition_bytes=1, original_headers=["X-Campaign"])
    got = bag.compute(scheduler="processes", num_workers=2)
    files = sorted(str(p) for p in archive.glob("*/*.eml"))
    assert got == _expected(files)


def test_expand_and_partitions(archive: Path) -> None:
    files = expand([str(archive / "a"), str(archive / "a" / "*.eml"), str(archive / "nothing-*.eml")])
    assert files == sorted(str(p) for p in (archive / "a").glob("*.eml"))
    sizes = [os.path.getsize(f) for f in files]
    groups = partitions(files, target=sizes[0] + sizes[1])
    assert [f for g in groups for f in g] == files
    assert groups[0] == files[:2]


def test_nothing_to_read_is_an_empty_bag(tmp_path: Path) -> None:
    assert read_bounces(str(tmp_path / "*.mbox")).compute(scheduler="sync") == []
