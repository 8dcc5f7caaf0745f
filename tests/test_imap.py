"""The IMAP fetcher against a real (private) Dovecot: fetch, store, move; exactly once across
re-runs, crashes and UIDVALIDITY resets; failed folder; IDLE; TLS verification and login safety.
A few behaviours that Dovecot cannot show (servers without MOVE, XOAUTH2) use a fake client."""

from __future__ import annotations

import glob
import logging
import os
import pwd
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import dsnparse
from dsnparse.cli import main as cli_main
from dsnparse.io.imap import (
    DONE_KEYWORD,
    NETWORK_ERRORS,
    Credentials,
    Fetcher,
    ImapError,
    Security,
    Settings,
    move,
)
from dsnparse.io.store import FAILED, OVERSIZE, PARSED, Checkpoint, Entry, Store

from . import dovecot as dc
from .conftest import FIXTURES

pytestmark = pytest.mark.imap

BOUNCES = sorted(FIXTURES.glob("*/*.eml"))[:7]
"""Real-looking bounces: the bundled fixtures."""


@pytest.fixture(scope="module")
def server() -> Iterator[dc.Dovecot]:
    reason = dc.available()
    if reason:
        pytest.skip(f"IMAP tests need a local Dovecot: {reason}")
    srv = dc.Dovecot()
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def user() -> str:
    """A fresh mailbox for each test (the server accepts any user name)."""
    return f"u{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(str(tmp_path / "bounces.sqlite")) as s:
        yield s


def settings(server: dc.Dovecot, user: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "host": server.host, "port": server.imaps_port, "credentials": Credentials(user, dc.PASSWORD),
        "ca_file": str(server.cert), "batch_size": 3,
    }
    values.update(changes)
    return Settings(**values)


ARRIVED = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=2)))


def append(server: dc.Dovecot, user: str, messages: Iterable[bytes]) -> None:
    client = server.client(user)
    try:
        for raw in messages:
            client.append("INBOX", raw, msg_time=ARRIVED)
    finally:
        client.logout()


def folder_count(server: dc.Dovecot, user: str, folder: str) -> int:
    client = server.client(user)
    try:
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])
    finally:
        client.logout()


def recording(fetched: list[tuple[list[int], list[str]]]) -> Callable[..., Any]:
    """A client factory whose clients note every FETCH (UIDs, items) in ``fetched``."""
    def factory(host: str, port: int, use_ssl: bool, context: ssl.SSLContext, timeout: float) -> Any:
        from imapclient import IMAPClient

        client = IMAPClient(host, port, ssl=use_ssl, ssl_context=context, timeout=timeout)
        original = client.fetch

        def fetch(uids: list[int], data: list[str], modifiers: Any = None) -> Any:
            fetched.append((list(uids), list(data)))
            return original(uids, data, modifiers)

        client.fetch = fetch
        return client

    return factory


def expected_records(messages: Sequence[bytes]) -> int:
    return sum(len(dsnparse.parse(raw).records) for raw in messages)


def bounces() -> list[bytes]:
    assert len(BOUNCES) >= 4
    return [p.read_bytes() for p in BOUNCES]


# -- fetch, store, move ------------------------------------------------------------------------


def test_a_batch_is_fetched_stored_and_moved_then_a_rerun_finds_nothing(
    server: dc.Dovecot, user: str, store: Store
) -> None:
    messages = bounces()
    append(server, user, messages)
    summary = Fetcher(settings(server, user), store).run()
    assert summary.messages == len(messages)
    assert summary.records == store.count() == expected_records(messages)
    assert summary.failed == 0
    assert sum(summary.by_kind.values()) == len(messages)
    assert folder_count(server, user, "INBOX") == 0
    assert folder_count(server, user, "Processed") == len(messages)
    rows = list(store.messages())
    assert [r["uid"] for r in rows] == list(range(1, len(messages) + 1))
    assert {r["status"] for r in rows} == {PARSED}
    assert {r["received"] for r in rows} == {"2026-03-10T07:30:00Z"}  # INTERNALDATE, in UTC
    # each message is kept for reparse, as the server handed it out (CRLF line endings)
    assert [store.raw(r["source"]) for r in rows] == [m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                                                     for m in messages]
    assert all(r.source and r.source.startswith(f"imap://{user}@127.0.0.1/INBOX;UIDVALIDITY=")
               for _, r in store.records())
    checkpoint = store.checkpoint(f"{user}@127.0.0.1/INBOX")
    assert checkpoint is not None and checkpoint.last_uid == len(messages)

    again = Fetcher(settings(server, user), store).run()
    assert (again.messages, again.records) == (0, 0)
    assert store.count() == summary.records


class _Crash:
    """A store that loses the server at the second commit, before it or right after it."""

    def __init__(self, store: Store, server: dc.Dovecot, when: str):
        self.store, self.server, self.when, self.calls = store, server, when, 0

    def known(self, mailbox: str, uidvalidity: int, uids: Iterable[int]) -> dict[int, str]:
        return self.store.known(mailbox, uidvalidity, uids)

    def checkpoint(self, mailbox: str) -> Checkpoint | None:
        return self.store.checkpoint(mailbox)

    def add(self, entries: Sequence[Entry], checkpoint: Checkpoint | None = None) -> list[str]:
        self.calls += 1
        if self.calls == 2 and self.when == "before-commit":
            self.server.kill()
            raise ConnectionResetError("simulated crash before the commit")
        out = self.store.add(entries, checkpoint)
        if self.calls == 2:
            self.server.kill()  # the MOVE that follows meets a dead server
        return out


@pytest.mark.parametrize("when", ["before-commit", "after-commit"])
def test_a_connection_lost_mid_run_then_a_rerun_processes_each_message_once(
    server: dc.Dovecot, user: str, store: Store, when: str
) -> None:
    messages = bounces()
    append(server, user, messages)
    try:
        with pytest.raises(NETWORK_ERRORS):
            Fetcher(settings(server, user), _Crash(store, server, when)).run()
    finally:
        server.start()
    committed = store.count("messages")  # batches of 3: the first one always, the second after its commit
    assert committed == (3 if when == "before-commit" else min(6, len(messages)))
    summary = Fetcher(settings(server, user), store).run()
    assert summary.refiled == committed - 3
    assert summary.messages == len(messages) - committed
    new = len(messages) - committed
    assert summary.lines()[0].startswith(
        f"messages: {new + committed - 3} ({new} new, {committed - 3} already stored, 0 duplicates)")
    rows = list(store.messages())
    assert sorted(r["uid"] for r in rows) == list(range(1, len(messages) + 1))
    assert store.count() == expected_records(messages)
    assert folder_count(server, user, "INBOX") == 0
    assert folder_count(server, user, "Processed") == len(messages)


def test_unparseable_and_oversized_messages_are_parked_in_the_failed_folder(
    server: dc.Dovecot, user: str, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_parse = dsnparse.parse

    def parse(raw: bytes, **kwargs: Any) -> dsnparse.Report:
        if b"X-Test-Broken: yes" in raw:
            raise dsnparse.ParseError("MIME structure nested too deeply for the parser")
        return real_parse(raw, **kwargs)

    monkeypatch.setattr("dsnparse.io.imap.parse", parse)
    good = bounces()[:2]
    broken = b"X-Test-Broken: yes\r\nSubject: broken\r\n\r\nbody\r\n"
    huge = b"Subject: huge\r\n\r\n" + (b"x" * 70 + b"\r\n") * 2000
    append(server, user, [good[0], broken, huge, good[1]])
    fetched: list[tuple[list[int], list[str]]] = []
    caplog.set_level(logging.WARNING, logger="dsnparse.imap")
    summary = Fetcher(settings(server, user, max_size=10_000, batch_size=10), store,
                      client_factory=recording(fetched)).run()
    assert (summary.messages, summary.failed) == (4, 2)
    assert folder_count(server, user, "Unparsed") == 2
    assert folder_count(server, user, "Processed") == 2
    assert folder_count(server, user, "INBOX") == 0
    status = {r["uid"]: (r["status"], r["error"]) for r in store.messages()}
    assert status[2][0] == FAILED and "nested too deeply" in status[2][1]
    assert status[3][0] == OVERSIZE and "cap" in status[3][1]
    assert status[1][0] == status[4][0] == PARSED
    body_fetches = [uids for uids, data in fetched if "BODY.PEEK[]" in data]
    assert body_fetches == [[1, 2, 4]]  # one FETCH for the batch, the oversized one never loaded
    assert "nested too deeply" in caplog.text and "over the 10000 byte cap" in caplog.text


def test_a_message_ingested_from_a_file_is_a_duplicate_when_fetched(server: dc.Dovecot, user: str,
                                                                    tmp_path: Path) -> None:
    db = str(tmp_path / "b.sqlite")
    assert cli_main(["ingest", "--db", db, str(BOUNCES[0])]) == 0
    append(server, user, [BOUNCES[0].read_bytes()])  # the server hands it back with CRLF line endings
    with Store(db) as store:
        before = store.count()
        summary = Fetcher(settings(server, user), store).run()
        assert (summary.messages, summary.duplicates, summary.records) == (1, 1, 0)
        assert summary.lines()[0] == "messages: 1 (0 new, 0 already stored, 1 duplicates), 0 failed"
        assert "records: 0" in summary.lines()
        assert store.count() == before
    assert folder_count(server, user, "Processed") == 1


def test_large_messages_are_fetched_in_parts_but_committed_as_one_batch(
    server: dc.Dovecot, user: str, store: Store
) -> None:
    messages = bounces()[:4]
    append(server, user, messages)
    fetched: list[tuple[list[int], list[str]]] = []
    budget = max(len(m) for m in messages) + 10  # room for one message per FETCH, not two
    summary = Fetcher(settings(server, user, batch_size=10, fetch_bytes=budget), store,
                      client_factory=recording(fetched)).run()
    assert [uids for uids, data in fetched if "BODY.PEEK[]" in data] == [[1], [2], [3], [4]]
    assert summary.messages == 4 and store.count() == expected_records(messages)


def test_settings_refuse_filing_into_the_folder_read() -> None:
    with pytest.raises(ImapError, match="differ"):
        Settings(host="h", credentials=Credentials("u", "p"), folder="INBOX", processed_folder="INBOX")
    with pytest.raises(ImapError, match="positive"):
        Settings(host="h", credentials=Credentials("u", "p"), batch_size=0)


def _reset_uidvalidity(server: dc.Dovecot, user: str, uidvalidity: int) -> None:
    """What a server rebuild does: forget the UIDs and give the folder a new UIDVALIDITY."""
    server.kill()
    maildir = server.maildir(user)
    for name in glob.glob(str(maildir / "dovecot.index*")):
        os.unlink(name)
    uidlist = maildir / "dovecot-uidlist"
    uidlist.write_text(f"3 V{uidvalidity} N1\n")
    owner = pwd.getpwnam("dovecot")
    os.chown(uidlist, owner.pw_uid, owner.pw_gid)
    server.start()


def test_a_uidvalidity_reset_rescans_without_counting_twice(server: dc.Dovecot, user: str, store: Store) -> None:
    messages = bounces()[:4]
    append(server, user, messages)
    # first run commits everything but dies before moving anything
    crash = _Crash(store, server, "after-commit")
    crash.calls = 1
    with pytest.raises(NETWORK_ERRORS):
        Fetcher(settings(server, user, batch_size=10), crash).run()
    server.start()
    records = store.count()
    assert records == expected_records(messages)
    _reset_uidvalidity(server, user, 4242)
    summary = Fetcher(settings(server, user, batch_size=10), store).run()
    assert (summary.messages, summary.duplicates, summary.records) == (4, 4, 0)
    assert store.count() == records
    assert store.checkpoint(f"{user}@127.0.0.1/INBOX") == Checkpoint(f"{user}@127.0.0.1/INBOX", 4242, 4)
    assert folder_count(server, user, "INBOX") == 0
    assert folder_count(server, user, "Processed") == 4


# -- watching ----------------------------------------------------------------------------------


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _stored(path: str) -> int:
    with Store(path) as s:
        return s.count("messages")


def test_watch_picks_up_new_mail_with_idle_and_stops_cleanly_on_sigterm(
    server: dc.Dovecot, user: str, tmp_path: Path
) -> None:
    db = str(tmp_path / "watch.sqlite")
    messages = bounces()[:2]
    append(server, user, messages[:1])
    env = dict(os.environ, DSNPARSE_TEST_PASSWORD=dc.PASSWORD)
    cmd = [sys.executable, "-m", "dsnparse", "imap", "--host", server.host, "--port", str(server.imaps_port),
           "--user", user, "--password-env", "DSNPARSE_TEST_PASSWORD", "--ca-file", str(server.cert),
           "--db", db, "--watch", "--idle-interval", "120"]
    with open(tmp_path / "err.txt", "wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    try:
        assert _wait_for(lambda: _stored(db) == 1), (tmp_path / "err.txt").read_text()
        append(server, user, messages[1:])
        # far sooner than the 120 s IDLE re-issue: the server's EXISTS woke the fetcher
        assert _wait_for(lambda: _stored(db) == 2), (tmp_path / "err.txt").read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "err.txt").read_text()
    assert "messages: 2 (2 new, 0 already stored, 0 duplicates)" in log
    assert dc.PASSWORD not in log
    assert folder_count(server, user, "Processed") == 2


def test_watch_reconnects_after_the_server_goes_away(server: dc.Dovecot, user: str, store: Store) -> None:
    stop = threading.Event()
    fetcher = Fetcher(settings(server, user, idle_interval=0.5, backoff_cap=1.0), store, stop=stop)
    thread = threading.Thread(target=fetcher.watch, daemon=True)
    thread.start()
    try:
        append(server, user, bounces()[:1])
        # restart only once the first message is filed: a server killed in the middle of its MOVE
        # leaves the message in both folders (not the fetcher's doing; its store de-duplicates)
        assert _wait_for(lambda: fetcher.summary.messages == 1 and folder_count(server, user, "Processed") == 1)
        server.restart()
        append(server, user, bounces()[1:2])
        # a bound, not a speed test: under a loaded machine the restart and the back-off take long
        assert _wait_for(lambda: fetcher.summary.messages == 2, seconds=90.0)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert folder_count(server, user, "Processed") == 2


@pytest.mark.parametrize("graceful", [False, True], ids=["killed", "shut-down-with-bye"])
def test_watch_notices_a_dead_connection_during_idle_at_once(
    server: dc.Dovecot, user: str, store: Store, graceful: bool
) -> None:
    """A restart during IDLE (the socket left in CLOSE-WAIT, or a ``* BYE``) ends the IDLE and
    reconnects after the first back-off pause, not when the 300 s IDLE interval runs out."""
    idling = threading.Event()

    def factory(host: str, port: int, use_ssl: bool, context: ssl.SSLContext, timeout: float) -> Any:
        from imapclient import IMAPClient

        client = IMAPClient(host, port, ssl=use_ssl, ssl_context=context, timeout=timeout)
        original = client.idle

        def idle() -> Any:
            answer = original()
            idling.set()
            return answer

        client.idle = idle
        return client

    stop = threading.Event()
    fetcher = Fetcher(settings(server, user, idle_interval=300.0, backoff_cap=1.0), store, stop=stop,
                      client_factory=factory)
    append(server, user, bounces()[:1])
    thread = threading.Thread(target=fetcher.watch, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: fetcher.summary.messages == 1)
        assert idling.wait(20)
        idling.clear()
        server.restart(graceful=graceful)
        append(server, user, bounces()[1:2])
        # 300 s would pass before the old IDLE ended by itself; a reconnect takes about a second
        assert _wait_for(lambda: fetcher.summary.messages == 2, seconds=15.0)
        assert idling.wait(20)  # and it is watching again, on the new connection
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert folder_count(server, user, "Processed") == 2


# -- connection security -----------------------------------------------------------------------


def test_a_certificate_from_another_ca_is_refused(server: dc.Dovecot, user: str, store: Store, tmp_path: Path) -> None:
    other, _ = dc.make_certificate(tmp_path, "other")
    with pytest.raises(ImapError, match="certificate not trusted"):
        Fetcher(settings(server, user, ca_file=str(other)), store).run()
    with pytest.raises(ImapError, match="certificate not trusted"):  # the system store does not know it either
        Fetcher(settings(server, user, ca_file=None), store).run()
    assert store.count("messages") == 0


def test_starttls_and_loopback_plaintext(server: dc.Dovecot, user: str, store: Store) -> None:
    append(server, user, bounces()[:2])
    Fetcher(settings(server, user, port=server.imap_port, security=Security.STARTTLS, batch_size=1), store).run()
    append(server, user, bounces()[2:3])
    summary = Fetcher(settings(server, user, port=server.imap_port, security=Security.PLAINTEXT_LOOPBACK,
                               ca_file=None), store).run()
    assert summary.messages == 1
    assert store.count("messages") == 3


def test_plaintext_is_refused_off_loopback_before_connecting(store: Store) -> None:
    def factory(*args: Any) -> Any:
        raise AssertionError("no connection may be opened")

    s = Settings(host="imap.example.com", credentials=Credentials("u", "pw"), security=Security.PLAINTEXT_LOOPBACK)
    with pytest.raises(ImapError, match="loopback"):
        Fetcher(s, store, client_factory=factory).run()


def test_a_refused_login_never_shows_the_password(
    server: dc.Dovecot, user: str, store: Store, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    secret = "wrong-pass-" + uuid.uuid4().hex
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ImapError, match="refused") as info:
        Fetcher(settings(server, user, credentials=Credentials(user, secret)), store).run()
    assert secret not in str(info.value) and secret not in repr(info.value.__cause__)
    assert secret not in repr(settings(server, user, credentials=Credentials(user, secret)))
    monkeypatch.setenv("DSNPARSE_TEST_PASSWORD", secret)
    code = cli_main(["imap", "--host", server.host, "--port", str(server.imaps_port), "--user", user,
                              "--password-env", "DSNPARSE_TEST_PASSWORD", "--ca-file", str(server.cert),
                              "--db", str(tmp_path / "b.sqlite")])
    out = capsys.readouterr()
    assert code == 1
    assert "refused" in out.err
    assert secret not in out.err + out.out + caplog.text


def test_cli_fetches_into_jsonl(server: dc.Dovecot, user: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    messages = bounces()[:3]
    append(server, user, messages)
    password_file = tmp_path / "password"
    password_file.write_text(dc.PASSWORD + "\n")
    out = tmp_path / "records.jsonl"
    code = cli_main(["imap", "--host", server.host, "--port", str(server.imaps_port), "--user", user,
                              "--password-file", str(password_file), "--ca-file", str(server.cert),
                              "--jsonl", str(out), "--processed-folder", "Done"])
    assert code == 0
    assert len(out.read_text().splitlines()) == expected_records(messages)
    err = capsys.readouterr().err
    assert "messages: 3 (3 new, 0 already stored, 0 duplicates)" in err
    assert f"records: {expected_records(messages)}" in err  # records counted apart from messages
    assert folder_count(server, user, "Done") == 3


def test_cli_reports_a_missing_folder(server: dc.Dovecot, user: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DSNPARSE_TEST_PASSWORD", dc.PASSWORD)
    code = cli_main(["imap", "--host", server.host, "--port", str(server.imaps_port), "--user", user,
                     "--password-env", "DSNPARSE_TEST_PASSWORD", "--ca-file", str(server.cert),
                     "--db", str(tmp_path / "b.sqlite"), "--folder", "NoSuchFolder"])
    assert code == 1
    assert "NoSuchFolder" in capsys.readouterr().err


def test_cli_refuses_a_password_env_that_is_not_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DSNPARSE_TEST_UNSET", raising=False)
    with pytest.raises(SystemExit, match="DSNPARSE_TEST_UNSET"):
        cli_main(["imap", "--host", "127.0.0.1", "--user", "u", "--password-env", "DSNPARSE_TEST_UNSET",
                  "--db", str(tmp_path / "b.sqlite")])


# -- what Dovecot cannot show: servers without MOVE, XOAUTH2 -------------------------------------


class FakeClient:
    """Records the calls the fetcher makes; answers like a server with the given capabilities."""

    def __init__(self, capabilities: set[str]):
        self.capabilities = capabilities
        self.calls: list[tuple[Any, ...]] = []

    def has_capability(self, name: str) -> bool:
        return name in self.capabilities

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, *args))
            return True

        return call


def test_move_without_move_uses_copy_then_uid_expunge_of_those_uids_only() -> None:
    client = FakeClient({"UIDPLUS"})
    move(client, [4, 9], "Processed")
    assert client.calls == [("copy", [4, 9], "Processed"), ("add_flags", [4, 9], [b"\\Deleted"]),
                            ("uid_expunge", [4, 9])]


def test_move_without_move_or_uidplus_only_copies_and_flags() -> None:
    client = FakeClient(set())
    move(client, [4], "Processed")
    assert client.calls == [("copy", [4], "Processed"), ("add_flags", [4], [DONE_KEYWORD.encode()])]
    assert not any(c[0] in ("expunge", "uid_expunge", "delete_messages") for c in client.calls)


def test_xoauth2_login_uses_the_token(store: Store) -> None:
    client = FakeClient({"MOVE"})
    s = Settings(host="imap.example.com", credentials=Credentials("u@example.com", oauth2_token="tok-123"))
    Fetcher(s, store, client_factory=lambda *a: client).connect()
    assert ("oauth2_login", "u@example.com", "tok-123") in client.calls
    assert not any(c[0] == "login" for c in client.calls)
    assert "tok-123" not in repr(s)


def test_credentials_need_exactly_one_secret() -> None:
    with pytest.raises(ImapError):
        Credentials("u")
    with pytest.raises(ImapError):
        Credentials("u", "pw", "token")
