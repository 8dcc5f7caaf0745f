#!/usr/bin/env python3
"""Throughput of ``dsnparse.parse`` over messages held in memory, next to the floors.

    .venv/bin/python bench/throughput.py ../shared/corpus/sisimai
    .venv/bin/python bench/throughput.py fixtures --runs 9 --json /tmp/tp.json

Every message under the given paths (read like the CLI reads them; a folder with a
``truth.jsonl`` is read from the file list in it) is loaded into memory once. Then, in the same
process and interleaved run by run, each contender parses all of them; the figure reported is
the median over ``--runs`` runs of messages per CPU-second (``time.process_time``, so other load
on the machine matters less than for wall time; wall time is shown too):

- ``floor``: ``email.message_from_bytes(raw, policy=compat32)`` and a walk of the parts, the
  least any MIME-based parser does;
- ``dsnparse``: ``dsnparse.parse`` (full records and classification);
- ``dsnparse+dict``: the same plus ``to_dict()`` of every record, what the CLI and engines emit;
- ``flufl.bounce``: compat32 parse plus ``flufl.bounce.scan_message`` (addresses only), when
  that package is installed (a comparison only; not a dependency).

Peak RSS (``ru_maxrss``) is the process's, after loading the messages and after the runs.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from email.policy import compat32

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import dsnparse
from dsnparse.io.sources import read_paths


def load(paths: list[str]) -> list[bytes]:
    """The raw messages under ``paths`` (a corpus folder with truth.jsonl: its listed files)."""
    out: list[bytes] = []
    for path in paths:
        truth = os.path.join(path, "truth.jsonl")
        if os.path.isdir(path) and os.path.exists(truth):
            with open(truth, encoding="utf-8") as fh:
                names = [json.loads(line)["file"] for line in fh if line.strip()]
            targets = [os.path.join(path, n) for n in names]
        else:
            targets = [path]
        out.extend(item.raw for item in read_paths(targets) if item.raw is not None)
    return out


def floor(raws: list[bytes]) -> int:
    n = 0
    for raw in raws:
        msg = email.message_from_bytes(raw, policy=compat32)
        for part in msg.walk():
            part.get_content_type()
            n += 1
    return n


def parse(raws: list[bytes]) -> int:
    n = 0
    for raw in raws:
        try:
            n += len(dsnparse.parse(raw).records)
        except dsnparse.DsnparseError:
            n += 1  # parse_many's "unparsed" record
    return n


def parse_dicts(raws: list[bytes]) -> int:
    return sum(len(dsnparse.parse_bytes(raw)) for raw in raws)


def flufl_scan() -> Callable[[list[bytes]], int] | None:
    try:
        from flufl.bounce import scan_message
    except ImportError:
        return None

    def run(raws: list[bytes]) -> int:
        n = 0
        for raw in raws:
            n += len(scan_message(email.message_from_bytes(raw, policy=compat32)))
        return n

    return run


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    raws = load(a.paths)
    if not raws:
        print("no messages", file=sys.stderr)
        return 2
    size = sum(len(r) for r in raws)
    rss_loaded = rss_mb()
    contenders: dict[str, Callable[[list[bytes]], int]] = {
        "floor": floor, "dsnparse": parse, "dsnparse+dict": parse_dicts,
    }
    scan = flufl_scan()
    if scan is not None:
        contenders["flufl.bounce"] = scan
    for fn in contenders.values():  # warm-up: tables loaded, caches filled as in a long run
        fn(raws)
    cpu: dict[str, list[float]] = {k: [] for k in contenders}
    wall: dict[str, list[float]] = {k: [] for k in contenders}
    counts: dict[str, int] = {}
    for _ in range(a.runs):
        for name, fn in contenders.items():
            w0, c0 = time.perf_counter(), time.process_time()
            counts[name] = fn(raws)
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    n = len(raws)
    print(f"{n} messages, {size / 1e6:.1f} MB, {a.runs} runs (median; spread = min..max msg/s)")
    print(f"{'':14} {'msg/CPU-s':>10} {'msg/s wall':>10} {'spread':>15} {'items/s':>9}")
    figures: dict[str, dict[str, float]] = {}
    for name in contenders:
        med = statistics.median(cpu[name])
        rates = sorted(n / t for t in cpu[name])
        wmed = statistics.median(wall[name])
        figures[name] = {"msgs_per_cpu_s": n / med, "msgs_per_wall_s": n / wmed, "items_per_cpu_s": counts[name] / med,
                         "min": rates[0], "max": rates[-1]}
        spread = f"{rates[0]:7.0f}..{rates[-1]:<7.0f}"
        print(f"{name:14} {n / med:10.0f} {n / wmed:10.0f} {spread:>15} {counts[name] / med:9.0f}")
    base = figures["dsnparse"]["msgs_per_cpu_s"]
    print("items/s: parts walked (floor), records (dsnparse), addresses (flufl.bounce)")
    print(f"dsnparse / floor        = {base / figures['floor']['msgs_per_cpu_s']:.2f}")
    with_dicts = figures["dsnparse+dict"]["msgs_per_cpu_s"]
    print(f"dsnparse+dict / floor   = {with_dicts / figures['floor']['msgs_per_cpu_s']:.2f}")
    if "flufl.bounce" in figures:
        print(f"dsnparse / flufl.bounce = {base / figures['flufl.bounce']['msgs_per_cpu_s']:.2f}")
    print(f"peak RSS: {rss_loaded:.0f} MB after loading, {rss_mb():.0f} MB after the runs")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump({"messages": n, "bytes": size, "runs": a.runs, "figures": figures,
                       "rss_mb": rss_mb()}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
