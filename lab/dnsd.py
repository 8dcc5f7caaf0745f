"""The lab's fake DNS on 127.0.0.1:53 (UDP and TCP): MX and A records for the test domains,
SERVFAIL for one, a null MX for another, NXDOMAIN for every other name. Run inside the lab's
network namespace only: ``python -m lab.dnsd``.
"""

from __future__ import annotations

import signal
import sys
import threading

from dnslib import MX, QTYPE, RCODE, RR, A, DNSLabel
from dnslib.server import BaseResolver, DNSServer

from .mtas import MTAS

# name -> A address
A_RECORDS: dict[str, str] = {
    "mx.example.com": "127.0.0.10",
    "mx.other.example.org": "127.0.0.10",
    "mx.size.example.com": "127.0.0.11",
    "mx.refused.example.com": "127.0.0.12",
    "mx.busy.example.com": "127.0.0.13",
}
for _m in MTAS.values():
    A_RECORDS[_m.host] = _m.ip

# domain -> MX host ("." = null MX)
MX_RECORDS: dict[str, str] = {
    "example.com": "mx.example.com",
    "other.example.org": "mx.other.example.org",
    "size.example.com": "mx.size.example.com",
    "refused.example.com": "mx.refused.example.com",
    "busy.example.com": "mx.busy.example.com",
    "nullmx.example.org": ".",
}
for _m in MTAS.values():
    MX_RECORDS[_m.host] = _m.host

SERVFAIL = {"servfail.example.org"}
TTL = 60


class LabResolver(BaseResolver):
    def resolve(self, request, handler):
        reply = request.reply()
        qname = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        if qname in SERVFAIL or qname.endswith(tuple("." + d for d in SERVFAIL)):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        known = qname in A_RECORDS or qname in MX_RECORDS
        if not known:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if qtype in ("MX", "ANY") and qname in MX_RECORDS:
            host = MX_RECORDS[qname]
            pref = 0 if host == "." else 10
            target = DNSLabel(host + "." if host != "." else ".")
            reply.add_answer(RR(request.q.qname, QTYPE.MX, ttl=TTL, rdata=MX(target, pref)))
            if host in A_RECORDS:
                reply.add_ar(RR(DNSLabel(host + "."), QTYPE.A, ttl=TTL, rdata=A(A_RECORDS[host])))
        if qtype in ("A", "ANY") and qname in A_RECORDS:
            reply.add_answer(RR(request.q.qname, QTYPE.A, ttl=TTL, rdata=A(A_RECORDS[qname])))
        # every other type of a known name: NOERROR with no answer (not NXDOMAIN)
        return reply


def main() -> None:
    resolver = LabResolver()
    servers = [DNSServer(resolver, address="127.0.0.1", port=53, tcp=tcp) for tcp in (False, True)]
    for s in servers:
        s.start_thread()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print("dns ready", flush=True)
    stop.wait()
    for s in servers:
        s.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
