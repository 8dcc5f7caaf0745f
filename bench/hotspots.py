#!/usr/bin/env python3
"""Where the time of ``dsnparse.parse`` goes, over messages held in memory (cProfile).

    .venv/bin/python bench/hotspots.py ../shared/corpus/sisimai [--runs 3] [--top 25]

Prints own time grouped by module (the stdlib ``email`` parser, dsnparse modules, regex
searches...), then the top functions by cumulative and by own time. cProfile adds a cost per
Python call, so call-heavy code looks heavier than it is: read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import os
import pstats
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from throughput import load  # type: ignore[import-not-found]

import dsnparse


def _module(filename: str, name: str) -> str:
    if filename == "~":
        return f"(builtin) {name}"
    if "dsnparse" in filename:
        return "dsnparse/" + filename.split("dsnparse/", 1)[1]
    return "stdlib " + "/".join(filename.split("/")[-2:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    raws = load(a.paths)

    def run() -> None:
        for raw in raws:
            with contextlib.suppress(dsnparse.DsnparseError):
                dsnparse.parse(raw)

    run()  # tables loaded, caches warm
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(a.runs):
        run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_module: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_module[_module(filename, name)] += own
    total = sum(by_module.values())
    print(f"{len(raws)} messages x {a.runs} runs; own time by module:")
    for module, own in by_module.most_common(a.top):
        print(f"  {own / total * 100:5.1f}%  {module}")
    stats.sort_stats("cumulative").print_stats(a.top)
    stats.sort_stats("tottime").print_stats(a.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
