#!/usr/bin/env python3
"""``dsnparse report`` over a store of a million records: wall time and peak memory.

    .venv/bin/python bench/report_scale.py                       # 1,000,000 records
    .venv/bin/python bench/report_scale.py --records 100000 --formats json,html

The store is built once (kept in ``--workdir``) from the bundled fixtures: every fixture is
parsed, then its records are stored again and again under new message keys, with recipients
in 8 large domains (80%) and 5,000 small ones, dates spread over 30 days, until the store holds ``--records`` records.
Then ``dsnparse report --db STORE --format F -o FILE`` runs as a child process per format and the
script prints its wall and CPU seconds and its peak RSS (``ru_maxrss`` of the child). The target
is under a minute and 500 MB at a million records.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dsnparse  # noqa: E402
from dsnparse.io.store import Entry, MessageKey, Store, iso  # noqa: E402


def build(path: Path, records: int) -> int:
    """A store of about ``records`` records (kept when one of that size is already there)."""
    stamp = path.with_suffix(".count")
    if path.exists() and stamp.exists() and stamp.read_text() == str(records):
        with Store(str(path)) as store:
            return store.count()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    reports = [dsnparse.parse(p.read_bytes(), source=p.name, original_headers=["X-Campaign"])
               for p in sorted((ROOT / "fixtures").rglob("*.eml"))]
    reports = [r for r in reports if r.records]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    made = 0
    with Store(str(path)) as store:
        batch: list[Entry] = []
        n = 0
        while made < records:
            report = reports[n % len(reports)]
            when = start + timedelta(seconds=(n * 7919) % (30 * 86400))
            copies = tuple(
                dataclasses.replace(
                    r, recipient=f"user{n}.{i}@d{(n * 31 + i) % 5000 if n % 5 == 0 else n % 8}.example.com",
                    date=iso(when),
                    headers={"X-Campaign": f"campaign-{n % 12}"},
                )
                for i, r in enumerate(report.records)
            )
            batch.append(Entry(MessageKey(f"bench/{n}"), report=dataclasses.replace(report, records=copies),
                               received=iso(when)))
            made += len(copies)
            n += 1
            if len(batch) >= 5000:
                store.add(batch)
                batch = []
        if batch:
            store.add(batch)
        count = store.count()
    stamp.write_text(str(records))
    return count


def run(store: Path, fmt: str, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``dsnparse report`` child."""
    cmd = [sys.executable, "-m", "dsnparse", "report", "--db", str(store), "--header", "X-Campaign",
           "--format", fmt, "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(cmd, check=True, cwd=ROOT)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--formats", default="json,html")
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    store = work / f"report-{args.records}.db"
    started = time.monotonic()
    count = build(store, args.records)
    print(f"store: {count:,} records, {store.stat().st_size / 1e6:,.0f} MB "
          f"(ready in {time.monotonic() - started:,.0f} s)")
    print("| records | format | wall s | CPU s | peak RSS MB | output KB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for fmt in args.formats.split(","):
        out = work / f"report-{args.records}.{fmt}"
        wall, cpu, rss = run(store, fmt, out)
        print(f"| {count:,} | {fmt} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {os.path.getsize(out) / 1024:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
