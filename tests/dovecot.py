"""A private Dovecot IMAP server for the fetcher's tests.

It runs from its own config in a directory under /tmp (root's Dovecot serves mail as the
``dovecot`` user, which cannot enter pytest's 0700 ``tmp_path``), listens on 127.0.0.1 only with
IMAP (plaintext/STARTTLS) and IMAPS on free ports, uses a throw-away self-signed certificate, and
accepts any user name with the password :data:`PASSWORD`, so each test takes a fresh mailbox.

Runs from several work trees at once do not collide: each instance has its own directory (its
``base_dir``, state, logs and mail) and its own ports, picked free by the kernel; should another
process take a port between the pick and Dovecot's bind, the first start picks new ones.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

PASSWORD = "dovecot-test-secret"

_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
imap_idle_notify_interval = 1 secs
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def available() -> str | None:
    """Why Dovecot cannot run here, or ``None`` when it can."""
    if shutil.which("dovecot") is None:
        return "Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    try:
        pwd.getpwnam("dovecot")
    except KeyError:
        return "the dovecot system user is missing"
    if os.geteuid() != 0:
        return "the private Dovecot needs root (it serves mail as the dovecot user)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_certificate(directory: Path, name: str = "cert") -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1/localhost: (cert, key) PEM paths."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60,
    )
    return cert, key


class Dovecot:
    """One private server: ``start()``, ``kill()`` (instant, the whole process group), ``stop()``."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dsnparse-dovecot-"))
        self.root.chmod(0o755)
        self.imap_port = _free_port()
        self.imaps_port = _free_port()
        self.host = "127.0.0.1"
        dovecot = pwd.getpwnam("dovecot")
        home = self.root / "home"
        home.mkdir()
        os.chown(home, dovecot.pw_uid, dovecot.pw_gid)
        self.cert, key = make_certificate(self.root)
        key.rename(self.root / "key.pem")
        self.cert.rename(self.root / "cert.pem")
        self.cert = self.root / "cert.pem"
        self.conf = self.root / "dovecot.conf"
        self._write_conf()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started = False

    def _write_conf(self) -> None:
        self.conf.write_text(_CONF.format(root=self.root, password=PASSWORD, imap_port=self.imap_port,
                                          imaps_port=self.imaps_port))

    def start(self) -> None:
        """Start the server and wait for its greeting (on the first start, a port taken by another
        process meanwhile is replaced by a new free one; a restart keeps the ports clients know)."""
        for _attempt in range(3):
            try:
                self._start()
            except RuntimeError as exc:
                if self._started or "Address already in use" not in str(exc):
                    raise
                self.kill()
                self.imap_port, self.imaps_port = _free_port(), _free_port()
                self._write_conf()
                continue
            self._started = True
            return
        raise RuntimeError(f"dovecot found no free port: {self.log_tail()}")

    def _start(self) -> None:
        pidfile = self.root / "run" / "master.pid"
        if pidfile.exists():
            pidfile.unlink()
        with open(self.root / "master.out", "ab") as out:
            self._proc = subprocess.Popen(
                ["dovecot", "-F", "-c", str(self.conf)], stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.imap_port), timeout=2) as conn:
                    if conn.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer: {self.log_tail()}")

    def kill(self) -> None:
        """Kill the master and every child at once (like a crash or a dropped network)."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._proc = None

    def terminate(self) -> None:
        """Shut down as an administrator would (SIGTERM: the server says ``* BYE`` to its clients)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=20)
            with contextlib.suppress(ProcessLookupError):  # whatever is left of the process group
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._proc = None

    def restart(self, *, graceful: bool = False) -> None:
        """Kill (or, ``graceful``, shut down) and start again (same config, same ports, same mail)."""
        if graceful:
            self.terminate()
        else:
            self.kill()
        self.start()

    def stop(self) -> None:
        """Kill the server and remove its directory."""
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        """The end of the server's logs, for error messages."""
        parts = []
        for name in ("dovecot.log", "master.out"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(parts)

    def maildir(self, user: str) -> Path:
        """The Maildir of a user (created by Dovecot at first login)."""
        return self.root / "home" / user / "Maildir"

    def client(self, user: str) -> Any:
        """A logged-in IMAPClient over TLS (for setting up and inspecting mailboxes)."""
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.cert))
        client = IMAPClient(self.host, self.imaps_port, ssl=True, ssl_context=context, timeout=30)
        client.login(user, PASSWORD)
        return client
