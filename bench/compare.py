#!/usr/bin/env python3
"""Throughput of two (or more) checkouts of dsnparse, measured in lockstep on one CPU.

    git worktree add /tmp/before bfaf952
    .venv/bin/python bench/compare.py /tmp/before . ../shared/corpus/sisimai --rounds 21

``throughput.py`` compares contenders inside one process; two versions of dsnparse cannot share
one. Run one after the other, two versions meet a different machine: on a shared VM the rate of
the same code moves by a third from minute to minute, more than the difference looked for. So
each checkout gets a worker process, all pinned to the same CPU, that holds the same messages in
memory (loaded once, here, by this checkout's reader, and handed over as bytes) and parses all of
them once per round when told; the rounds alternate the order (A B, B A, ...). Each round gives
a speed ratio against the first checkout taken under nearly the same conditions, and the figure
reported is the median of those ratios, with its quartiles, beside each checkout's median and
best msg/CPU-s (``time.process_time``).

Each worker imports ``dsnparse`` from its checkout and nothing else from it: it needs only
``dsnparse.parse`` and ``dsnparse.DsnparseError``, so any revision can be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def worker(messages_file: str, cpu: int) -> None:
    """Parse every message once per line read on stdin; print the CPU seconds it took."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    import dsnparse  # from the checkout that is the working directory (see run_rounds)

    with open(messages_file, "rb") as fh:
        raws: list[bytes] = pickle.load(fh)

    # throughput.parse, written again: importing throughput would put this checkout's dsnparse
    # first on sys.path, and it needs dsnparse.io, which older revisions do not have
    def one_pass() -> int:  # the records; an unparsed message counts one
        n = 0
        for raw in raws:
            try:
                n += len(dsnparse.parse(raw).records)
            except dsnparse.DsnparseError:
                n += 1
        return n

    one_pass()  # warm-up: tables loaded, caches filled as in a long run
    one_pass()
    print("ready", flush=True)
    for _ in sys.stdin:
        start = time.process_time()
        one_pass()
        print(time.process_time() - start, flush=True)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (values[0],) * 3
    return q1, q2, q3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("args", nargs="+", metavar="CHECKOUT... PATH",
                    help="two or more checkouts (the first is the reference), then the messages")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--cpu", type=int, default=None, help="the CPU to pin the workers to (default: the last one)")
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    checkouts, paths = a.args[:-1], a.args[-1:]
    if len(checkouts) < 2:
        ap.error("give at least two checkouts and the messages")
    for c in checkouts:
        if not os.path.isfile(os.path.join(c, "dsnparse", "__init__.py")):
            ap.error(f"{c}: not a dsnparse checkout")
    sys.path.insert(0, HERE)
    from throughput import load  # this checkout's reader: every worker gets the same bytes

    raws = load(paths)
    if not raws:
        print("no messages", file=sys.stderr)
        return 2
    cpu = a.cpu if a.cpu is not None else max(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as fh:
        pickle.dump(raws, fh)
    try:
        times = run_rounds(checkouts, fh.name, cpu, a.rounds)
    finally:
        os.unlink(fh.name)
    n = len(raws)
    print(f"{n} messages, {a.rounds} rounds on CPU {cpu} (msg/CPU-s; ratio: per round, against the first)")
    figures = {}
    for checkout, t in zip(checkouts, times, strict=True):
        ratios = [ref / mine for ref, mine in zip(times[0], t, strict=True)]
        q1, med, q3 = quartiles(ratios)
        figures[checkout] = {"median": n / statistics.median(t), "best": n / min(t),
                             "ratio_median": med, "ratio_q1": q1, "ratio_q3": q3}
        print(f"{checkout:32} median {n / statistics.median(t):7.0f}  best {n / min(t):7.0f}  "
              f"ratio {med:.3f} (quartiles {q1:.3f}..{q3:.3f})")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as out:
            json.dump({"messages": n, "rounds": a.rounds, "cpu": cpu, "figures": figures}, out, indent=2)
    return 0


def run_rounds(checkouts: list[str], messages_file: str, cpu: int, rounds: int) -> list[list[float]]:
    """CPU seconds of each checkout's pass in each round, the order alternating round by round."""
    procs = []
    for checkout in checkouts:
        procs.append(subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", messages_file, str(cpu)],
            cwd=checkout, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    try:
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise SystemExit(f"a worker failed to start (exit {p.wait()})")
        times: list[list[float]] = [[] for _ in procs]
        for r in range(rounds):
            order = range(len(procs)) if r % 2 == 0 else reversed(range(len(procs)))
            for i in order:
                p = procs[i]
                assert p.stdin is not None and p.stdout is not None
                p.stdin.write("go\n")
                p.stdin.flush()
                times[i].append(float(p.stdout.readline()))
        return times
    finally:
        for p in procs:
            if p.stdin is not None:
                p.stdin.close()
            p.wait()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        sys.path.insert(0, os.getcwd())  # the checkout's dsnparse before any installed one
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
