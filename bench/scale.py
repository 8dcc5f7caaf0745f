#!/usr/bin/env python3
"""Time and memory against input size, and the worst single messages.

    .venv/bin/python bench/scale.py                          # 10k and 100k messages, -j 1 and 2
    .venv/bin/python bench/scale.py --sizes 10000,100000,1000000 --jobs 1,2
    .venv/bin/python bench/scale.py --sizes 0                # only the worst single messages

Mailboxes: an mbox of N messages is built (once, kept in ``--workdir``) by cycling through the
bundled fixtures (``fixtures/**/*.eml``), and ``dsnparse -j J MBOX`` runs on it as a child
process, its records written to a file. Reported: wall and CPU seconds (the child and its
workers), messages per second, records written, and peak RSS of the whole process tree (the
parent and its workers, sampled from /proc every 50 ms) next to the largest single process's
``ru_maxrss``. Memory bounded by the mailbox size shows as a flat RSS column.

Worst single messages, each parsed in a fresh child process with ``dsnparse.parse``: a 50 MB
message (a DSN whose returned message carries a 50 MB attachment), a report of 10,000
recipients, 1 MB header lines (bounce and returned message), a 1 MB line without a break in the
report text, and 5,000 MIME parts. The target is under 2 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FROM_LINE = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"


# -- mailboxes ----------------------------------------------------------------------------------


def fixture_messages() -> list[bytes]:
    """The bundled fixture messages, LF line endings, mboxrd-quoted, each ending in a blank line."""
    out = []
    for path in sorted((ROOT / "fixtures").rglob("*.eml")):
        raw = path.read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n"
        lines = raw.split(b"\n")
        quoted = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in lines]
        out.append(FROM_LINE + b"\n".join(quoted) + b"\n")
    return out


def build_mbox(path: Path, count: int) -> int:
    """Write an mbox of ``count`` messages (unless one of that count is already there)."""
    stamp = path.with_suffix(".count")
    if path.exists() and stamp.exists() and stamp.read_text() == str(count):
        return path.stat().st_size
    messages = fixture_messages()
    with open(path, "wb") as fh:
        for i in range(count):
            fh.write(messages[i % len(messages)])
    stamp.write_text(str(count))
    return path.stat().st_size


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (0 when unavailable)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_cli(mbox: Path, jobs: int, out: Path) -> dict[str, float]:
    """Run ``dsnparse -j jobs mbox > out``; wall/CPU seconds, records, peak RSS of the tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = [0]
    start = time.perf_counter()
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dsnparse", "-j", str(jobs), str(mbox)], stdout=sink, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "rb") as fh:
        records = sum(1 for _ in fh)
    return {
        "exit": code,
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "records": records,
        "tree_rss_mb": peak[0] / 1024,
        "max_process_rss_mb": after.ru_maxrss / 1024,
    }


# -- worst single messages ----------------------------------------------------------------------

_DSN_HEAD = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
    b"To: sender@example.com\n"
    b"Subject: Undelivered Mail Returned to Sender\n"
    b"MIME-Version: 1.0\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B0"\n\n'
    b"--B0\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.org.\n"
    b"I'm sorry to have to inform you that your message could not be delivered.\n\n"
)


def _dsn(recipients: int, text_line: bytes = b"", subject: bytes = b"", original_extra: bytes = b"") -> bytes:
    groups = b"".join(
        b"Final-Recipient: rfc822; user%d@example.net\nAction: failed\nStatus: 5.1.1\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 <user%d@example.net>: Recipient address rejected\n\n" % (i, i)
        for i in range(recipients)
    )
    head = _DSN_HEAD.replace(b"Subject: Undelivered", b"Subject: " + subject + b"Undelivered") if subject else _DSN_HEAD
    return (
        head + text_line + b"\n--B0\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.org\n\n" + groups
        + b"--B0\nContent-Type: message/rfc822\n\n"
        b"From: sender@example.com\nTo: user0@example.net\nSubject: hello\nMessage-ID: <m1@example.com>\n"
        + original_extra + b"\nhello\n--B0--\n"
    )


def _huge_attachment(size: int) -> bytes:
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
    body = line * (size // len(line))
    original = (
        b"From: sender@example.com\nTo: user0@example.net\nSubject: big\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B1"\n\n--B1\nContent-Type: text/plain\n\nsee attached\n'
        b"--B1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
        b'Content-Disposition: attachment; filename="big.bin"\n\n' + body + b"--B1--\n"
    )
    return (
        _DSN_HEAD + b"\n--B0\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; user0@example.net\nAction: failed\nStatus: 5.2.3\n"
        b"Diagnostic-Code: smtp; 552 5.2.3 Message size exceeds fixed maximum message size\n\n"
        b"--B0\nContent-Type: message/rfc822\n\n" + original + b"--B0--\n"
    )


def _many_parts(count: int) -> bytes:
    parts = b"".join(b"--B0\nContent-Type: text/plain\n\npart %d\n" % i for i in range(count))
    return _DSN_HEAD.split(b"--B0\n", 1)[0] + parts + b"--B0--\n"


CASES = {
    "50 MB message (huge attachment)": lambda: _huge_attachment(50 << 20),
    "10,000 recipients": lambda: _dsn(10_000),
    "1 MB Subject header": lambda: _dsn(1, subject=b"x" * (1 << 20)),
    "1 MB header line in returned message": lambda: _dsn(1, original_extra=b"X-Long: " + b"y " * (1 << 19) + b"\n"),
    "1 MB report line without a break": lambda: _dsn(1, text_line=b"a@b.example " * ((1 << 20) // 12) + b"\n"),
    "5,000 MIME parts": lambda: _many_parts(5000),
}


def one_case(name: str) -> dict[str, float]:
    """Parse one worst case in this (fresh) process: seconds, records, peak RSS."""
    import dsnparse

    raw = CASES[name]()
    dsnparse.parse(_dsn(1))  # tables are loaded on first use (~0.3 s once per process): not counted
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    report = dsnparse.parse(raw)
    seconds = time.perf_counter() - start
    flags = sorted({f for r in report.records for f in r.flags})
    return {"bytes": len(raw), "seconds": seconds, "records": len(report.records), "flags": flags,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_before_mb": base}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="mailbox sizes in messages (0: none)")
    ap.add_argument("--jobs", default="1,2", help="-j values to run")
    ap.add_argument("--workdir", default="/tmp/dsnparse-scale")
    ap.add_argument("--skip-worst", action="store_true", help="do not run the worst single messages")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one_case(a.one)))
        return 0
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"mailboxes": [], "worst": []}
    sizes = [int(s) for s in a.sizes.split(",") if int(s) > 0]
    jobs = [int(j) for j in a.jobs.split(",")]
    if sizes:
        print(f"{'messages':>9} {'MB':>7} {'-j':>3} {'wall s':>8} {'CPU s':>8} {'msg/s':>8} {'records':>9} "
              f"{'tree RSS MB':>12} {'max proc MB':>12}")
    for size in sizes:
        mbox = work / f"bounces-{size}.mbox"
        nbytes = build_mbox(mbox, size)
        for j in jobs:
            r = run_cli(mbox, j, work / f"out-{size}-j{j}.jsonl")
            row = {"messages": size, "bytes": nbytes, "jobs": j, **r}
            results["mailboxes"].append(row)  # type: ignore[attr-defined]
            print(f"{size:9d} {nbytes / 1e6:7.1f} {j:3d} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} "
                  f"{size / r['wall_s']:8.0f} {int(r['records']):9d} {r['tree_rss_mb']:12.0f} "
                  f"{r['max_process_rss_mb']:12.0f}" + ("" if r["exit"] == 0 else f"  exit {r['exit']}"))
            sys.stdout.flush()
    if not a.skip_worst:
        print(f"\n{'worst single message':40} {'MB':>7} {'seconds':>8} {'records':>8} {'RSS MB':>7}  flags")
        for name in CASES:
            p = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, cwd=ROOT)
            if p.returncode != 0:
                print(f"{name:40} FAILED: {p.stderr.strip()[-300:]}")
                continue
            r = json.loads(p.stdout)
            results["worst"].append({"case": name, **r})  # type: ignore[attr-defined]
            verdict = "ok" if r["seconds"] < 2 else "OVER 2 s"
            print(f"{name:40} {r['bytes'] / 1e6:7.1f} {r['seconds']:8.2f} {r['records']:8d} {r['rss_mb']:7.0f}  "
                  f"{','.join(r['flags']) or '-'}  {verdict}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
