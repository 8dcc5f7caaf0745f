"""Hunt for superlinear parse time: grow each fixture and see whether the time grows faster.

For every fixture, the body as a whole and each of its first lines in turn are repeated until the
message is about 100 KB, then 200 KB, and both are parsed (limits raised so nothing is cut). A
linear parser takes about twice as long for the second; a ratio near four means a quadratic step
(one line re-joined with everything before it, a scan to the end of the text per candidate).
This is a tool, not a test: timings on a shared machine are noisy, so read its findings, profile
them (``python -m cProfile``) and keep a deterministic regression in tests/test_robustness.py.

    .venv/bin/python fuzz/scaling.py [FIXTURES_DIR] [--lines N] [--min-seconds S]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import dsnparse

UNLIMITED = dsnparse.Limits(
    max_message_bytes=50_000_000, max_text_bytes=50_000_000, max_recipients=10**9, max_parts=10**6
)
Maker = Callable[[int], bytes]


def cpu_seconds(raw: bytes) -> float:
    """CPU time of one parse (this thread only)."""
    start = time.thread_time()
    with contextlib.suppress(dsnparse.DsnparseError):
        dsnparse.parse(raw, limits=UNLIMITED)
    return time.thread_time() - start


def variants(raw: bytes, lines: int) -> dict[str, Maker]:
    """Ways to grow a message: its whole body, or one of its first ``lines`` body lines."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    rows = body.split(b"\n")
    out: dict[str, Maker] = {"body": lambda k: head + sep + body * k}

    def grow_line(i: int) -> Maker:
        return lambda k: head + sep + b"\n".join(rows[:i] + [rows[i]] * k + rows[i + 1 :])

    for i, row in enumerate(rows[:lines]):
        if len(row) > 3:
            out[f"line {i + 1} {row[:40]!r}"] = grow_line(i)
    return out


def main() -> None:
    """Print each variant whose time more than triples when its size doubles."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent / "fixtures"))
    ap.add_argument("--lines", type=int, default=60, help="body lines of each fixture to grow (default 60)")
    ap.add_argument("--min-seconds", type=float, default=0.05, help="ignore variants faster than this at 100 KB")
    args = ap.parse_args()
    found = 0
    for path in sorted(Path(args.root).rglob("*.eml")):
        raw = path.read_bytes()
        for name, make in variants(raw, args.lines).items():
            unit = len(make(2)) - len(make(1))
            if unit <= 0:
                continue
            k = max(1, 100_000 // unit)
            small = cpu_seconds(make(k))
            if small < args.min_seconds:
                continue
            large = cpu_seconds(make(2 * k))
            if large > 3 * small:
                found += 1
                print(f"{large / small:4.1f}x  {small:6.3f}s -> {large:6.3f}s  {path.relative_to(args.root)}: {name}")
    print(f"{found} superlinear variant(s)")


if __name__ == "__main__":
    main()
