#!/usr/bin/env python3
"""CPU instructions per message of ``dsnparse.parse``, counted by Valgrind's callgrind.

    .venv/bin/python bench/instructions.py ../shared/corpus/sisimai
    .venv/bin/python bench/instructions.py fixtures --passes 3

Wall and CPU time on a shared VM move by 10-30% from run to run, too much to see a change of a
few per cent; an instruction count moves by about 0.3%. The messages are loaded as
``throughput.py`` loads them; the parse runs under callgrind twice, each time after one warm-up
pass (tables compiled, caches filled): once with no further pass, once with ``--passes`` more.
The difference divided by passes and messages is the steady-state cost of one parse. Run it
from the checkout to measure (its ``dsnparse`` is imported first); needs ``valgrind``
(``apt-get install valgrind``). Several minutes: callgrind runs Python about 50 times slower.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _worker(paths: list[str], passes: int) -> None:
    """Under callgrind: load, one warm-up pass, then ``passes`` passes."""
    sys.path.insert(0, HERE)
    import throughput  # the same loader as the throughput benchmark (puts this checkout first)

    import dsnparse

    raws = throughput.load(paths)
    for _ in range(passes + 1):
        for raw in raws:
            dsnparse.parse(raw)
    print(len(raws))


def _count(paths: list[str], passes: int) -> tuple[int, int]:
    """Instructions callgrind collected, and the number of messages."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, os.path.abspath(__file__), "--worker", str(passes), *paths],
            capture_output=True, text=True, check=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1)), int(done.stdout.split()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--passes", type=int, default=2, help="measured passes over the messages (default 2)")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        _worker(args.paths, args.worker)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind (apt-get install valgrind)")
    base, messages = _count(args.paths, 0)
    more, _ = _count(args.paths, args.passes)
    per_message = (more - base) / args.passes / messages
    print(f"{messages} messages, {args.passes} passes: {per_message:,.0f} instructions per message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
