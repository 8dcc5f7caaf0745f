"""List what dsnparse gets wrong on the lab fixtures, one line per differing field, as a Markdown
table (the raw part of lab/FINDINGS.md): ``python -m lab.findings``."""

from __future__ import annotations

import json
import os
import sys

from dsnparse.check import actual, compare, fixtures

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "lab")


def main() -> int:
    rows, total, failing = [], 0, 0
    for msg, js in fixtures(ROOT):
        total += 1
        with open(js, encoding="utf-8") as fh:
            diffs = compare(json.load(fh), actual(msg))
        if diffs:
            failing += 1
            rel = os.path.relpath(msg, ROOT)
            for d in diffs:
                rows.append(f"| `{rel}` | {d.replace('|', '/')} |")
    print(f"{failing} of {total} lab fixtures fail.\n")
    print("| fixture | difference |\n|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
