"""``python3 -m lab run [--mta NAME ...]`` (as root): make real bounces and write fixtures/lab.

The outer process builds missing chroots, creates a network namespace with only ``lo``, runs
itself inside it (``inside``), and removes the namespace whatever happens. The inner process
starts the fake DNS, the scripted MX and the MTAs, injects the scenario's messages, waits for the
bounces, writes the fixtures, and stops every process it started by its PID.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import email.utils
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time
import tomllib

from . import truth
from .mtas import CACHE, LIFETIME_S, MTA, MTAS, SENDER

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCENARIOS = os.path.join(HERE, "scenarios.toml")
RUN_DIR = "/var/tmp/dsnparse-lab-run"  # noqa: S108 (root-only lab, recreated by every run)
OUT = os.path.join(ROOT, "fixtures", "lab")


def log(*a: object) -> None:
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# ------------------------------------------------------------------ outer
def build_chroot(m: MTA) -> None:
    if os.path.exists(os.path.join(m.base, ".done")):
        return
    tmp = m.base + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(CACHE, exist_ok=True)
    log("building chroot", m.name, "(mmdebstrap, a few minutes)")
    subprocess.run(
        ["mmdebstrap", "--variant=minbase", "--include=" + ",".join([*m.packages, "procps"]), "bookworm", tmp],
        check=True,
    )
    shutil.rmtree(m.base, ignore_errors=True)
    os.rename(tmp, m.base)
    open(os.path.join(m.base, ".done"), "w").close()


def outer(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        sys.exit("the lab needs root (network namespace, chroots, mounts)")
    names = args.mta or list(MTAS)
    for n in names:
        build_chroot(MTAS[n])
    ns = f"dsnparse-lab-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        # the MTAs' own addresses on lo, so that daemons that look for their interface find them;
        # not the MX addresses (127.0.0.0/8 is local anyway), or Courier takes the MX for itself
        # ("mail loops back to myself")
        for ip in sorted(m.ip for m in MTAS.values()):
            subprocess.run(["ip", "-n", ns, "addr", "add", ip + "/32", "dev", "lo"], check=True)
        cmd = ["ip", "netns", "exec", ns, sys.executable, "-m", "lab", "inside", "--mta", *names]
        if args.keep:
            cmd.append("--keep")
        return subprocess.run(cmd, cwd=ROOT).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])


# ------------------------------------------------------------------ inner
class Procs:
    """Every process the lab started, stopped by PID in reverse order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], logfile: str) -> subprocess.Popen:
        with open(logfile, "ab") as fh:   # the child keeps its own copy of the descriptor
            p = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
        self.procs.append((name, p))
        log("started", name, "pid", p.pid)
        return p

    def stop_all(self) -> None:
        # An MTA's PID namespace ends with its PID 1: killing it kills every process the MTA forked.
        # (unshare's --kill-child alone is not enough: a daemon that changes its credentials loses
        # the parent-death signal, and would outlive the lab.)
        for pid in NS_INIT.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for _name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.time() + 10
        for name, p in reversed(self.procs):
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log("stopped", name, "pid", p.pid, "rc", p.returncode)
        for name, pid in NS_INIT.items():
            for _ in range(50):
                if not os.path.exists(f"/proc/{pid}"):
                    break
                time.sleep(0.1)
            else:
                log("WARNING:", name, "namespace init", pid, "still there")


def wait_port(ip: str, port: int, timeout: float) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection((ip, port), timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def prepare(m: MTA, run: str) -> list[str]:
    d = os.path.join(run, m.name)
    shutil.rmtree(d, ignore_errors=True)
    upper, work, merged = (os.path.join(d, x) for x in ("upper", "work", "root"))
    for x in (upper, work, merged):
        os.makedirs(x)
    for path, content in {**m.files, "/lab-start.sh": m.start}.items():
        p = upper + path
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(content)
    inner = (
        f"mount -t overlay overlay -o lowerdir={m.base},upperdir={upper},workdir={work} {merged}"
        f" && mount --bind /dev {merged}/dev && mount -t proc proc {merged}/proc"
        f" && hostname {m.host} && exec chroot {merged} /bin/sh /lab-start.sh"
    )
    return ["unshare", "--mount", "--uts", "--pid", "--fork", "--kill-child", "--propagation", "private",
            "sh", "-c", inner]


def message(case: dict, m: MTA, rcpts: list[str]) -> bytes:
    mid = f"<lab.{case['name']}.{m.name}@{m.host}>"
    eight = case.get("body8bit", False)
    utf8_hdr = case.get("smtputf8", False)
    subject = case["subject"]
    if not utf8_hdr and not subject.isascii():
        from email.header import Header
        subject = Header(subject, "utf-8").encode()
    body = (
        "Hallo,\n\nhier ist der Überblick für März, wie besprochen. Grüße aus dem Büro,\nJonas\n"
        if eight else
        "Hello,\n\nAs discussed, here are the notes. Let me know if anything is missing.\n\nJonas\n"
    )
    pad = int(case.get("padding", 0))
    i = 0
    while pad and len(body) < pad:
        i += 1
        body += f"Line {i} of the notes, kept for reference.\n"
    hdrs = [
        f"From: Jonas de Wit <{SENDER}@{m.host}>",
        "To: " + ", ".join(rcpts),
        f"Subject: {subject}",
        "Date: " + email.utils.formatdate(localtime=False),
        f"Message-ID: {mid}",
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={'utf-8' if eight else 'us-ascii'}",
        f"Content-Transfer-Encoding: {'8bit' if eight else '7bit'}",
    ]
    return ("\r\n".join(hdrs) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


NS_INIT: dict[str, int] = {}


def ns_init(unshare_pid: int) -> int:
    """The PID 1 of an MTA's PID namespace: the child ``unshare --fork`` started."""
    with open(f"/proc/{unshare_pid}/task/{unshare_pid}/children") as fh:
        return int(fh.read().split()[0])


def inject_cli(c: dict, m: MTA, rcpts: list[str], data: bytes) -> str:
    """Submit through the MTA's own sendmail program, run inside its namespaces and chroot."""
    merged = os.path.join(RUN_DIR, m.name, "root")
    cmd = ["nsenter", "-t", str(NS_INIT[m.name]), "-m", "-u", "-p", "--", "chroot", merged,
           *m.sendmail_cli, "-f", f"{SENDER}@{m.host}", *rcpts]
    p = subprocess.run(cmd, input=data.replace(b"\r\n", b"\n"), capture_output=True, timeout=60)
    log(m.name, c["name"], "sendmail interface rc", p.returncode, p.stdout[-300:], p.stderr[-300:])
    return ""


def inject(case: dict, m: MTA) -> str:
    """Submit one case's message over SMTP to the MTA; '' when accepted, else why not."""
    c = truth.merged(case, m.name)
    if c.get("skip"):
        return "skip: " + c["skip"]
    rcpts = [r.replace("{me}", m.host) for r in c["rcpt"]]
    data = message(c, m, rcpts)
    if c.get("expires") and m.expiry:
        return "skip: " + m.expiry
    if not m.smtp:
        if c.get("ret") or c.get("envid") or c.get("orcpt") or c.get("smtputf8"):
            return "skip: no SMTP submission, so no DSN options or SMTPUTF8"
        return inject_cli(c, m, rcpts, data)
    if c.get("via") == "cli":
        return inject_cli(c, m, rcpts, data)
    with smtplib.SMTP(m.ip, 25, local_hostname="client.example.net", timeout=30,
                      source_address=("127.0.0.1", 0)) as s:
        s.ehlo()
        mopts, ropts = [], []
        if s.has_extn("dsn"):
            if c.get("ret"):
                mopts.append("RET=" + c["ret"])
            if c.get("envid"):
                mopts.append("ENVID=" + c["envid"])
            notify = c.get("notify") or ("DELAY,FAILURE" if c.get("expires") else "")
            if notify:
                ropts.append("NOTIFY=" + notify)
        elif c.get("ret") or c.get("orcpt"):
            return "skip: no DSN extension"
        if c.get("smtputf8"):
            if not s.has_extn("smtputf8"):
                return "skip: no SMTPUTF8 extension"
            mopts.append("SMTPUTF8")
        if c.get("body8bit") or c.get("smtputf8"):
            mopts.append("BODY=8BITMIME")
        s.mail(f"{SENDER}@{m.host}", mopts)
        ok = 0
        for r in rcpts:
            opts = list(ropts)
            if c.get("orcpt") and s.has_extn("dsn"):
                opts.append("ORCPT=" + c["orcpt"])
            code, resp = s.rcpt(r, opts)
            if code < 300:
                ok += 1
            else:
                log(m.name, case["name"], "RCPT refused at submission", r, code, resp)
        if not ok:
            s.rset()
            return f"refused at submission: {code} {resp!r}"
        code, resp = s.data(data)
        if code >= 300:
            return f"DATA refused at submission: {code} {resp!r}"
    return ""


def mailbox(m: MTA, run: str) -> list[tuple[str, bytes]]:
    """The messages in the sender's mailbox, in arrival order, bytes as delivered."""
    kind, _, path = m.mailbox.partition(":")
    base = os.path.join(run, m.name, "upper") + path
    out = []
    if kind == "maildir":
        files = []
        for sub in ("new", "cur"):
            d = os.path.join(base, sub)
            if os.path.isdir(d):
                files += [os.path.join(d, f) for f in os.listdir(d)]
        files.sort(key=lambda f: (os.stat(f).st_mtime, f))
        for f in files:
            with open(f, "rb") as fh:
                out.append((os.path.basename(f), fh.read()))
    elif os.path.exists(base):
        with open(base, "rb") as fh:
            data = fh.read()
        chunks = data.split(b"\nFrom ")
        for i, ch in enumerate(chunks):
            if i:
                ch = b"From " + ch
            nl = ch.find(b"\n")
            if ch.startswith(b"From ") and nl > 0:
                out.append((f"mbox-{i}", ch[nl + 1:].rstrip(b"\n") + b"\n"))
    return out


def match(cases: list[dict], m: MTA, msgs: list[tuple[str, bytes]]) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for _, raw in msgs:
        for c in cases:
            if f"lab.{c['name']}.{m.name}@".encode() in raw:
                found.setdefault(c["name"], []).append(raw)
                break
    return found


def complete(cases: list[dict], injected: dict[str, str], found: dict[str, list[bytes]], mta: str) -> bool:
    for c in (truth.merged(c, mta) for c in cases):
        if injected.get(c["name"]):
            continue
        got = found.get(c["name"], [])
        if len(got) < (2 if c.get("expires") else 1):
            return False
    return True


def write_fixtures(scen: dict, m: MTA, found: dict[str, list[bytes]], injected: dict[str, str]) -> list[str]:
    table = truth.code_table()
    outdir = os.path.join(OUT, m.name)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    notes = []
    for c in (truth.merged(c, m.name) for c in scen["case"]):
        why = injected.get(c["name"], "")
        if why:
            notes.append(f"{c['name']}: {why}")
            continue
        got = found.get(c["name"], [])
        if not got:
            notes.append(f"{c['name']}: no bounce arrived")
            continue
        items = [(c["name"], got[-1], False)]
        if c.get("expires"):
            if len(got) >= 2:
                items.append((c["name"] + "-delay", got[0], True))
            else:
                notes.append(f"{c['name']}: only one notice, no delay warning")
        elif len(got) > 1:
            # the MTA split the report (one notice per group of recipients): each is a fixture
            items = [(c["name"] if i == 0 else f"{c['name']}-{i + 1}", raw, False) for i, raw in enumerate(got)]
            notes.append(f"{c['name']}: {len(got)} notices")
        for name, raw, delay in items:
            try:
                exp = truth.expected(c, m.name, m.host, raw, table, delay)
            except ValueError as e:
                notes.append(str(e))
                continue
            with open(os.path.join(outdir, name + ".eml"), "wb") as fh:
                fh.write(raw)
            with open(os.path.join(outdir, name + ".json"), "w", encoding="utf-8") as fh:
                json.dump(exp, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
    return notes


def inside(args: argparse.Namespace) -> int:
    with open(SCENARIOS, "rb") as fh:
        scen = tomllib.load(fh)
    cases = scen["case"]
    run = RUN_DIR
    os.makedirs(run, exist_ok=True)
    procs = Procs()
    t0 = time.time()

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt   # SIGTERM too goes through the finally below

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)   # also when started in the background (SIGINT ignored)
    try:
        procs.start("dns", [sys.executable, "-m", "lab.dnsd"], os.path.join(run, "dns.log"))
        procs.start("mx", [sys.executable, "-m", "lab.mx", SCENARIOS], os.path.join(run, "mx.log"))
        mtas = [MTAS[n] for n in args.mta]
        for m in mtas:
            p = procs.start(m.name, prepare(m, run), os.path.join(run, m.name + ".console.log"))
            time.sleep(0.5)
            NS_INIT[m.name] = ns_init(p.pid)
        if not wait_port("127.0.0.10", 25, 20):
            raise RuntimeError("the MX did not start")
        injected: dict[str, dict[str, str]] = {}
        ready = []
        for m in mtas:
            if m.smtp and not wait_port(m.ip, 25, 90):
                log(m.name, "did not open port 25; see", os.path.join(run, m.name + ".console.log"))
                continue
            ready.append(m)
            injected[m.name] = {}
            for c in cases:
                try:
                    why = inject(c, m)
                except (smtplib.SMTPException, OSError) as e:
                    why = f"submission failed: {e!r}"
                injected[m.name][c["name"]] = why
                if why:
                    log(m.name, c["name"], why)
            log(m.name, "injected", sum(1 for v in injected[m.name].values() if not v), "messages")
        deadline = t0 + LIFETIME_S + 300
        found: dict[str, dict[str, list[bytes]]] = {}
        while time.time() < deadline:
            done = True
            for m in ready:
                found[m.name] = match(cases, m, mailbox(m, run))
                done &= complete(cases, injected[m.name], found[m.name], m.name)
            if done:
                break
            time.sleep(10)
        time.sleep(5)
        report = {}
        for m in ready:
            found[m.name] = match(cases, m, mailbox(m, run))
            notes = write_fixtures(scen, m, found[m.name], injected[m.name])
            report[m.name] = notes
            for n in notes:
                log(m.name, n)
        with open(os.path.join(run, "notes.json"), "w") as fh:
            summary = {"date": datetime.date.today().isoformat(), "seconds": round(time.time() - t0), "notes": report}
            json.dump(summary, fh, indent=1)
        log("done in", round(time.time() - t0), "s")
        return 0
    finally:
        procs.stop_all()


def retruth() -> int:
    """Rewrite every fixtures/lab/*/*.json from the scenario and its .eml (after a scenario fix)."""
    with open(SCENARIOS, "rb") as fh:
        cases = {c["name"]: c for c in tomllib.load(fh)["case"]}
    table = truth.code_table()
    for mta in sorted(os.listdir(OUT)):
        d = os.path.join(OUT, mta)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".eml"):
                continue
            stem = f[:-4]
            delay = stem.endswith("-delay")
            base = stem[:-6] if delay else stem
            if base not in cases:
                base = base.rsplit("-", 1)[0]   # <case>-2: the second notice of a split report
            c = cases[base]
            with open(os.path.join(d, f), "rb") as fh:
                raw = fh.read()
            exp = truth.expected(c, mta, MTAS[mta].host, raw, table, delay)
            with open(os.path.join(d, stem + ".json"), "w", encoding="utf-8") as fh:
                json.dump(exp, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(prog="python3 -m lab")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("truth", help="rewrite the expected .json of every lab fixture from the scenario")
    for name in ("run", "inside"):
        p = sub.add_parser(name)
        p.add_argument("--mta", nargs="*", choices=list(MTAS), default=None)
        p.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.cmd == "truth":
        return retruth()
    if args.cmd == "run":
        return outer(args)
    return inside(args)


if __name__ == "__main__":
    sys.exit(main())
