"""The scripted receiving side: the main MX (per-recipient replies at RCPT or after DATA), an MX
that advertises a SIZE limit, and one that greets with 421 and closes. Run inside the lab's
network namespace: ``python -m lab.mx lab/scenarios.toml``.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import tomllib

from aiosmtpd.smtp import SMTP, Envelope, Session

MAIN = "127.0.0.10"
SIZE = "127.0.0.11"
BUSY = "127.0.0.13"
_SIZE_PARAM = re.compile(r"\bSIZE=(\d+)", re.I)


def crlf(reply: str) -> str:
    """Multi-line replies are written with newlines in the scenario file; SMTP wants CRLF."""
    return "\r\n".join(line.rstrip("\r") for line in reply.split("\n"))


class MainHandler:
    """Answers RCPT and DATA from the scenario's ``[mx.rcpt]``, ``[mx.rcpt_domain]`` and ``[mx.data]``."""

    def __init__(self, mx: dict):
        self.rcpt = {k.lower(): v for k, v in mx.get("rcpt", {}).items()}
        self.domain = {k.lower(): v for k, v in mx.get("rcpt_domain", {}).items()}
        self.data = {k.lower(): v for k, v in mx.get("data", {}).items()}

    @staticmethod
    def _fill(reply: str, session: Session, rcpt: str = "") -> str:
        peer = session.peer[0] if session.peer else "0.0.0.0"  # noqa: S104 (a placeholder, not a bind)
        return crlf(reply.replace("{peer}", peer).replace("{rcpt}", rcpt))

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        key = address.lower()
        if key in self.rcpt:
            return self._fill(self.rcpt[key], session, address)
        domain = key.rpartition("@")[2]
        if domain in self.domain:
            return self._fill(self.domain[domain], session, address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope: Envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt.lower() in self.data:
                return self._fill(self.data[rcpt.lower()], session, rcpt)
        return "250 2.0.0 Ok: queued"


class AcceptHandler:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 Ok: queued"


class SizeSMTP(SMTP):
    """Advertises SIZE <limit> and refuses a MAIL whose SIZE= is larger with the scenario's reply."""

    size_reply = "552 5.3.4 Message size exceeds fixed maximum message size"

    async def smtp_MAIL(self, arg):
        m = _SIZE_PARAM.search(arg or "")
        if m and self.data_size_limit and int(m.group(1)) > self.data_size_limit and self.session.host_name:
            await self.push(self.size_reply)
            return
        await super().smtp_MAIL(arg)


async def busy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, greeting: str) -> None:
    writer.write((crlf(greeting) + "\r\n").encode())
    await writer.drain()
    writer.close()


async def main(path: str) -> None:
    with open(path, "rb") as fh:
        scen = tomllib.load(fh)
    mx = scen["mx"]
    loop = asyncio.get_running_loop()
    main_handler = MainHandler(mx)

    def factory(handler, cls=SMTP, hostname="mx.example.com", **kw):
        return lambda: cls(handler, hostname=hostname, enable_SMTPUTF8=True, decode_data=False, **kw)

    servers = [
        await loop.create_server(factory(main_handler), MAIN, 25),
        await loop.create_server(
            factory(AcceptHandler(), SizeSMTP, "mx.size.example.com", data_size_limit=mx["size"]["limit"]), SIZE, 25
        ),
        await asyncio.start_server(lambda r, w: busy(r, w, mx["busy"]["greeting"]), BUSY, 25),
    ]
    SizeSMTP.size_reply = mx["size"]["reply"]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("mx ready", flush=True)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
