"""The IMAP fetcher: read a bounce mailbox, store the records, then file each message away.

For every batch of UIDs the fetcher asks the sizes first (an oversized message is never loaded),
fetches the rest with ``BODY.PEEK[]`` in one FETCH, parses them, commits the records and the
mailbox checkpoint to the sink in one transaction, and only then moves the messages: parsed ones
to the processed folder, ones that could not be parsed (or were too large) to the failed folder.
Nothing is deleted. A crash between commit and move is harmless: on the next run the messages
already in the store are moved without being counted again (and a UIDVALIDITY reset is caught by
the store's de-duplication on message bytes).

Security: TLS certificates are verified (``ca_file`` for a private CA); plaintext is refused except
to a loopback address with :attr:`Security.PLAINTEXT_LOOPBACK`; passwords and tokens are never
logged, printed or stored (:class:`Credentials` hides them from ``repr``).
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TextIO

from ..classify.codes import CodeTable
from ..core import parse
from ..errors import DsnparseError
from ..limits import Limits
from .sinks import JsonLinesSink
from .store import FAILED, OVERSIZE, PARSED, Checkpoint, Entry, MessageKey, Summary, digest, iso

log = logging.getLogger("dsnparse.imap")

DONE_KEYWORD = "$DsnparseDone"
"""Keyword set on a message filed by COPY on a server with neither MOVE nor UIDPLUS."""


class ImapError(DsnparseError):
    """The fetcher cannot go on: bad settings, refused login, untrusted certificate."""


class Security(StrEnum):
    """How the connection is protected."""

    TLS = "tls"
    """Implicit TLS (IMAPS, port 993)."""
    STARTTLS = "starttls"
    """Plain connection upgraded with STARTTLS before login (port 143)."""
    PLAINTEXT_LOOPBACK = "insecure-plaintext-on-loopback"
    """No encryption: allowed only when the host resolves to loopback addresses only."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """A login: a password or an OAuth2 access token (XOAUTH2). Secrets never appear in ``repr``."""

    user: str
    password: str | None = field(default=None, repr=False)
    oauth2_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.password is None) == (self.oauth2_token is None):
            raise ImapError("give exactly one of a password or an OAuth2 token")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the fetcher needs to know; the defaults suit a bounce mailbox."""

    host: str
    credentials: Credentials
    port: int | None = None
    """Default 993 for TLS, 143 otherwise."""
    security: Security = Security.TLS
    ca_file: str | None = None
    """PEM file of the CA that signed the server's certificate (default: the system store)."""
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    failed_folder: str = "Unparsed"
    batch_size: int = 50
    """UIDs per store transaction (and per FETCH, within ``fetch_bytes``)."""
    max_size: int = 20_000_000
    """Bytes; a larger message is parked in the failed folder without being loaded."""
    fetch_bytes: int = 50_000_000
    """Bytes of messages loaded per FETCH: a batch of large messages is fetched in several parts."""
    idle_interval: float = 600.0
    """Seconds before an IDLE is re-issued (servers may drop it after 30 minutes)."""
    backoff_cap: float = 300.0
    """Longest wait, in seconds, between reconnection attempts in watch mode."""
    timeout: float = 120.0
    """Socket timeout in seconds."""
    original_headers: tuple[str, ...] = ()
    table: CodeTable | None = None
    limits: Limits | None = None
    """What bounds the work on one message (default :data:`~dsnparse.limits.DEFAULT_LIMITS`)."""

    def __post_init__(self) -> None:
        if self.folder in (self.processed_folder, self.failed_folder):
            raise ImapError("the processed and failed folders must differ from the folder read")
        if min(self.batch_size, self.max_size, self.fetch_bytes) < 1 or self.idle_interval <= 0:
            raise ImapError("batch_size, max_size, fetch_bytes and idle_interval must be positive")

    @property
    def mailbox(self) -> str:
        """The mailbox's name in store keys: ``user@host/folder``."""
        return f"{self.credentials.user}@{self.host}/{self.folder}"


class Ledger(Protocol):
    """Where the fetcher records what it fetched (a ledger, not a record :class:`~dsnparse.io.sinks.Sink`):
    a :class:`~dsnparse.io.store.Store` or a :class:`StreamSink`."""

    def known(self, mailbox: str, uidvalidity: int, uids: Iterable[int]) -> dict[int, str]:
        """Statuses of the UIDs already committed."""

    def checkpoint(self, mailbox: str) -> Checkpoint | None:
        """The last committed checkpoint of a mailbox."""

    def add(self, entries: Sequence[Entry], checkpoint: Checkpoint | None = None) -> list[str]:
        """Commit a batch durably; return each entry's status."""


class StreamSink:
    """Records as JSON lines on a stream, flushed (and fsynced for files) before messages are moved.
    It keeps no checkpoint: with it, the processed folder is the only memory of what was done."""

    def __init__(self, out: TextIO):
        self.out = out
        self._lines = JsonLinesSink(out)

    def known(self, mailbox: str, uidvalidity: int, uids: Iterable[int]) -> dict[int, str]:
        """Nothing is known: the stream cannot be read back."""
        return {}

    def checkpoint(self, mailbox: str) -> Checkpoint | None:
        """No checkpoint is kept."""
        return None

    def add(self, entries: Sequence[Entry], checkpoint: Checkpoint | None = None) -> list[str]:
        """Write the records of the parsed entries and make them durable."""
        for entry in entries:
            if entry.status == PARSED and entry.report is not None:
                for record in entry.report.records:
                    self._lines.write(record.to_dict())
        self.out.flush()
        with contextlib.suppress(OSError, ValueError, AttributeError):  # a pipe or terminal: flushed is all
            os.fsync(self.out.fileno())
        return [e.status for e in entries]


class ConnectionLost(ConnectionError):
    """The server ended the connection during IDLE (``* BYE``, end of file or a socket error)."""


NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.abort, EOFError)
"""Errors after which watch mode reconnects (certificate failures excepted: they are fatal)."""

_HANGUP = select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)
"""poll() events saying the peer closed its side or the socket failed (POLLRDHUP: Linux, the
CLOSE-WAIT state a restarted server leaves behind)."""


def is_loopback(host: str) -> bool:
    """True when every address ``host`` resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addrs = {info[4][0] for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(str(a).split("%", 1)[0]).is_loopback for a in addrs)


def _default_client(host: str, port: int, use_ssl: bool, context: ssl.SSLContext, timeout: float) -> Any:
    from imapclient import IMAPClient

    return IMAPClient(host, port, ssl=use_ssl, ssl_context=context, timeout=timeout)


ClientFactory = Callable[[str, int, bool, ssl.SSLContext, float], Any]
"""``(host, port, use_ssl, ssl_context, timeout) -> IMAPClient``-like object."""


class Fetcher:
    """Reads one folder of one account into a sink. ``run()`` makes one pass, ``watch()`` keeps
    going with IMAP IDLE until ``stop`` is set (it stops after the current batch)."""

    def __init__(self, settings: Settings, sink: Ledger, *, stop: threading.Event | None = None,
                 client_factory: ClientFactory = _default_client):
        self.settings = settings
        self.sink = sink
        self.stop = stop or threading.Event()
        self.summary = Summary()
        self._client_factory = client_factory

    # -- connection ------------------------------------------------------------------------------

    def connect(self) -> Any:
        """A logged-in client with the folders in place. Raises :class:`ImapError` for settings,
        certificate and login problems, ``OSError`` for network ones."""
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file) if s.ca_file else ssl.create_default_context()
        if s.security is Security.PLAINTEXT_LOOPBACK and not is_loopback(s.host):
            raise ImapError(f"refusing plaintext IMAP to {s.host}: allowed on loopback addresses only")
        port = s.port or (993 if s.security is Security.TLS else 143)
        try:
            client = self._client_factory(s.host, port, s.security is Security.TLS, context, s.timeout)
            if s.security is Security.STARTTLS:
                client.starttls(context)
        except ssl.SSLCertVerificationError as exc:
            raise ImapError(f"{s.host}:{port}: certificate not trusted: {exc.verify_message}") from exc
        client.normalise_times = False  # INTERNALDATE with its time zone, not local naive time
        try:
            self._login(client)
            for folder in (s.processed_folder, s.failed_folder):
                if not client.folder_exists(folder):
                    client.create_folder(folder)
        except BaseException:
            _close(client)
            raise
        log.info("connected to %s:%d as %s", s.host, port, s.credentials.user)
        return client

    def _login(self, client: Any) -> None:
        from imapclient.exceptions import LoginError

        creds = self.settings.credentials
        try:
            if creds.oauth2_token is not None:
                client.oauth2_login(creds.user, creds.oauth2_token)
            else:
                client.login(creds.user, creds.password)
        except LoginError as exc:
            raise ImapError(f"login as {creds.user} refused by {self.settings.host}") from exc

    # -- one pass --------------------------------------------------------------------------------

    def run(self) -> Summary:
        """Connect, process every message waiting in the folder, disconnect."""
        client = self.connect()
        try:
            self.process(client)
        finally:
            _close(client)
        return self.summary

    def process(self, client: Any) -> int:
        """Process the messages waiting in the folder, batch by batch; returns how many."""
        s = self.settings
        info = client.select_folder(s.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        previous = self.sink.checkpoint(s.mailbox)
        last_uid = 0
        if previous is not None and previous.uidvalidity == uidvalidity:
            last_uid = previous.last_uid
        elif previous is not None:
            log.warning("%s: UIDVALIDITY changed from %d to %d: re-scanning, known messages are de-duplicated",
                        s.folder, previous.uidvalidity, uidvalidity)
        uids = sorted(int(u) for u in client.search(["UNKEYWORD", DONE_KEYWORD]))
        known = self.sink.known(s.mailbox, uidvalidity, uids)
        if known:
            log.info("%s: %d messages committed by an earlier run are filed now", s.folder, len(known))
            self._file(client, known)
            self.summary.refiled += len(known)
        fresh = [u for u in uids if u not in known]
        done = 0
        for start in range(0, len(fresh), s.batch_size):
            if self.stop.is_set():
                break
            batch = fresh[start:start + s.batch_size]
            last_uid = max(last_uid, *batch)
            done += self._batch(client, uidvalidity, batch, last_uid)
        return done

    def _batch(self, client: Any, uidvalidity: int, batch: list[int], last_uid: int) -> int:
        s = self.settings
        meta = client.fetch(batch, ["RFC822.SIZE", "INTERNALDATE"])
        sizes = {u: int(meta[u].get(b"RFC822.SIZE", 0)) for u in batch if u in meta}  # others: expunged meanwhile
        by_uid: dict[int, Entry] = {}
        for part in _parts([u for u in batch if sizes.get(u, s.max_size + 1) <= s.max_size], sizes, s.fetch_bytes):
            bodies = client.fetch(part, ["BODY.PEEK[]"])
            for uid in part:
                by_uid[uid] = self._entry(MessageKey(s.mailbox, uidvalidity, uid), meta[uid], bodies.get(uid))
        entries = [by_uid.get(u) or self._entry(MessageKey(s.mailbox, uidvalidity, u), meta[u], None)
                   for u in batch if u in sizes]
        statuses = self.sink.add(entries, Checkpoint(s.mailbox, uidvalidity, last_uid))
        filed: dict[int, str] = {}
        for entry, status in zip(entries, statuses, strict=True):
            filed[entry.key.uid] = status
            self._count(entry, status)
        self._file(client, filed)
        log.info("%s: batch of %d committed and filed (%d messages, %d records so far)",
                 s.folder, len(entries), self.summary.messages, self.summary.records)
        return len(entries)

    def _entry(self, key: MessageKey, meta: dict[bytes, Any], body: dict[bytes, Any] | None) -> Entry:
        s = self.settings
        size = int(meta.get(b"RFC822.SIZE", 0))
        when = meta.get(b"INTERNALDATE")
        received = iso(when) if isinstance(when, datetime) else None
        if size > s.max_size:
            return Entry(key, OVERSIZE, size=size, received=received,
                         error=f"message of {size} bytes is over the {s.max_size} byte cap")
        raw = body.get(b"BODY[]") if body else None
        if not isinstance(raw, bytes):
            return Entry(key, FAILED, size=size, received=received, error="the server returned no message body")
        identity = digest(raw)
        try:
            report = parse(raw, source=key.source, table=s.table, original_headers=s.original_headers,
                           limits=s.limits)
        except Exception as exc:  # parse errors and parser bugs alike: park the message, go on
            error = f"{type(exc).__name__}: {exc}"
            return Entry(key, FAILED, digest=identity, size=size, received=received, error=error, raw=raw,
                         header_names=s.original_headers)
        return Entry(key, PARSED, report=report, digest=identity, size=size, received=received, raw=raw,
                     header_names=s.original_headers)

    def _count(self, entry: Entry, status: str) -> None:
        self.summary.add(entry, status)
        if status in (FAILED, OVERSIZE):
            log.warning("%s: parked in %s: %s", entry.key.source, self.settings.failed_folder, entry.error)

    def _file(self, client: Any, statuses: dict[int, str]) -> None:
        """Move committed messages: failures to the failed folder, the rest to the processed one."""
        s = self.settings
        failed = sorted(u for u, st in statuses.items() if st in (FAILED, OVERSIZE))
        done = sorted(u for u, st in statuses.items() if st not in (FAILED, OVERSIZE))
        for uids, folder in ((done, s.processed_folder), (failed, s.failed_folder)):
            if uids:
                move(client, uids, folder)

    # -- watching --------------------------------------------------------------------------------

    def watch(self) -> Summary:
        """Process, then wait with IDLE for new mail, until ``stop`` is set. Network errors lead to
        a reconnection after a pause that doubles up to ``backoff_cap``; :class:`ImapError` ends it."""
        delay = 1.0
        while not self.stop.is_set():
            try:
                client = self.connect()
            except NETWORK_ERRORS as exc:
                delay = self._pause(exc, delay)
                continue
            try:
                while not self.stop.is_set():
                    self.process(client)
                    delay = 1.0  # a full pass worked: the next failure starts the back-off afresh
                    if not self.stop.is_set():
                        self._idle(client)
            except NETWORK_ERRORS as exc:
                delay = self._pause(exc, delay)
            finally:
                _close(client)
        return self.summary

    def _pause(self, exc: BaseException, delay: float) -> float:
        log.warning("connection lost (%s: %s); reconnecting in %.0f s", type(exc).__name__, exc, delay)
        self.stop.wait(delay)
        return min(delay * 2, self.settings.backoff_cap)

    def _idle(self, client: Any) -> None:
        """IDLE until new mail, ``stop``, or ``idle_interval`` (then the caller re-issues it).
        A server without IDLE is polled every ``idle_interval`` seconds instead."""
        if not client.has_capability("IDLE"):
            self.stop.wait(self.settings.idle_interval)
            return
        client.idle()
        lost: str | None = None
        try:
            lost = self._idle_wait(client)
        finally:
            if lost is None:
                client.idle_done()
        if lost is not None:
            raise ConnectionLost(lost)

    def _idle_wait(self, client: Any) -> str | None:
        """Wait in IDLE; ``None`` on new mail, ``stop`` or the interval's end, else why the
        connection is dead. The client library drops an end of file during IDLE silently (and a
        closed socket then polls readable for ever), so the socket's own poll events are read too."""
        deadline = time.monotonic() + self.settings.idle_interval
        poller = select.poll()
        poller.register(client.socket().fileno(), select.POLLIN | _HANGUP)
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            events = poller.poll(min(1.0, left) * 1000)
            if not events:
                continue
            responses = client.idle_check(timeout=0)
            if any(r and r[0] == b"BYE" for r in responses):
                return "the server said BYE"
            if any(revents & _HANGUP for _, revents in events):
                return "the server closed the connection"
            if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                return None
        return None


def _parts(uids: list[int], sizes: dict[int, int], budget: int) -> list[list[int]]:
    """UIDs in FETCH-sized parts: consecutive runs whose sizes add up to at most ``budget``
    (a single larger message is a part of its own)."""
    parts: list[list[int]] = []
    total = 0
    for uid in uids:
        if not parts or total + sizes[uid] > budget:
            parts.append([])
            total = 0
        parts[-1].append(uid)
        total += sizes[uid]
    return parts


def move(client: Any, uids: list[int], folder: str) -> None:
    """UID MOVE; without MOVE, UID COPY then UID EXPUNGE of exactly these UIDs (UIDPLUS), or,
    without UIDPLUS either, UID COPY and the :data:`DONE_KEYWORD` keyword. Nothing is deleted
    before its copy exists."""
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    if client.has_capability("UIDPLUS"):
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        client.uid_expunge(uids)
    else:
        client.add_flags(uids, [DONE_KEYWORD.encode()], silent=True)


def _close(client: Any) -> None:
    try:
        client.logout()
    except Exception:  # the connection may already be gone: drop the socket
        with contextlib.suppress(Exception):
            client.shutdown()
