"""An authoritative DNS server on loopback (dnslib) serving an in-memory zone.

It follows CNAMEs inside the zone (answering with the whole chain, as a recursive resolver
would, up to 8 links, so a CNAME loop is answered with a chain that never ends in data),
answers NXDOMAIN for names that do not exist, and never answers names marked as black holes,
so clients see a real timeout. Answers too large for UDP (512 bytes, or the client's EDNS
size) go out with the TC bit and the question, and are served whole over TCP on the same
port, as a real server does: a 60 KB TXT record or hundreds of MX hosts reach the client.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from dnslib import AAAA, CAA, CNAME, MX, NS, QTYPE, RCODE, RR, TLSA, TXT, A, DNSError, DNSHeader, DNSRecord
from dnslib.server import DNSHandler, DNSLogger, DNSServer

_RDATA = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "NS": NS, "TXT": TXT}


def _norm(name: str) -> str:
    return name.rstrip(".").lower()


class Zone:
    """Records by owner name; mutate freely before (or between) queries."""

    def __init__(self) -> None:
        self.records: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        self.blackholes: set[str] = set()
        self.delay = 0.0
        self.queries: Counter[tuple[str, str]] = Counter()
        """How many times each ``(name, type)`` was asked (names without the trailing dot)."""
        self.signed: set[str] = set()
        """Zones a server started with ``sets_ad`` vouches for (the AD bit; nothing is signed or validated)."""

    def add(self, name: str, rtype: str, value: Any) -> None:
        """``value``: an address or name; for MX ``(preference, host)``; for TXT a string
        (split into 255-byte strings); for CAA ``(flags, tag, value)``. A record already there is not
        added again: an RRset is a set (RFC 2181 §5), and repeated copies would grow an answer past
        512 bytes until the client retried it over TCP, a second question the server would count."""
        rows = self.records[_norm(name)]
        if (rtype.upper(), value) not in rows:
            rows.append((rtype.upper(), value))

    def remove(self, name: str, rtype: str | None = None) -> None:
        key = _norm(name)
        self.records[key] = [r for r in self.records[key] if rtype is not None and r[0] != rtype.upper()]

    def blackhole(self, domain: str) -> None:
        """Never answer any query for ``domain`` or a name below it."""
        self.blackholes.add(_norm(domain))

    def is_blackholed(self, name: str) -> bool:
        return any(name == b or name.endswith("." + b) for b in self.blackholes)

    def is_signed(self, name: str) -> bool:
        return any(name == z or name.endswith("." + z) for z in self.signed)

    def exists(self, name: str) -> bool:
        return any((k == name or k.endswith("." + name)) and v for k, v in self.records.items())

    def rr(self, name: str, rtype: str, value: Any) -> RR:
        qtype = getattr(QTYPE, rtype)
        if rtype == "MX":
            rdata: Any = MX(value[1], value[0])
        elif rtype == "CAA":
            rdata = CAA(value[0], value[1], value[2])
        elif rtype == "TLSA":  # (usage, selector, matching type, data)
            rdata = TLSA(*value)
        elif rtype == "TXT":
            raw = value.encode()
            rdata = TXT([raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""])
        else:
            rdata = _RDATA[rtype](value)
        return RR(name + ".", qtype, rdata=rdata, ttl=60)


class _ZoneResolver:
    def __init__(self, zone: Zone, sets_ad: bool = False) -> None:
        self.zone = zone
        self.sets_ad = sets_ad

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord | None:
        zone = self.zone
        name = _norm(str(request.q.qname))
        qtype = QTYPE[request.q.qtype]
        zone.queries[(name, qtype)] += 1
        if zone.is_blackholed(name):
            return None
        if zone.delay:
            time.sleep(zone.delay)
        reply = request.reply()
        for _ in range(8):
            rows = zone.records.get(name, [])
            cnames = [v for t, v in rows if t == "CNAME"]
            if cnames and qtype != "CNAME":
                reply.add_answer(zone.rr(name, "CNAME", cnames[0]))
                name = _norm(cnames[0])
                if zone.is_blackholed(name):
                    return None
                continue
            for rtype, value in rows:
                if rtype == qtype:
                    reply.add_answer(zone.rr(name, rtype, value))
            if not zone.exists(name):
                reply.header.rcode = RCODE.NXDOMAIN
            break
        # dnslib's reply() copies the query's flags, AD too: only a server playing a validating resolver keeps it.
        reply.header.ad = int(self.sets_ad and (request.header.ad or _asks_dnssec(request)) and zone.is_signed(name))
        return reply


def _asks_dnssec(request: DNSRecord) -> bool:
    """Whether ``request`` has EDNS with the DO bit (RFC 3225): the bit is the top one of the TTL field."""
    return any(rr.rtype == QTYPE.OPT and rr.ttl & 0x8000 for rr in request.ar)


#: The largest UDP answer a client without EDNS accepts (RFC 1035 §4.2.1).
_UDP_LIMIT = 512


def udp_limit(request: DNSRecord) -> int:
    """The largest UDP answer ``request`` accepts: its EDNS payload size (RFC 6891 §6.2.5, at
    least 512), else 512."""
    for rr in request.ar:
        if rr.rtype == QTYPE.OPT:
            return max(_UDP_LIMIT, int(rr.rclass))
    return _UDP_LIMIT


def truncated(request: DNSRecord, reply: DNSRecord) -> DNSRecord:
    """What a server sends over UDP when ``reply`` does not fit: the header with TC set and the
    question kept, no records (RFC 2181 §9, RFC 7766 §5), so the client asks again over TCP.
    (dnslib's own ``truncate()`` drops the question; dnspython then does not recognise the answer
    as one to its query and waits until its timeout.)"""
    header = DNSHeader(id=reply.header.id, bitmap=reply.header.bitmap, tc=1)
    return DNSRecord(header, q=request.q)


class _Handler(DNSHandler):  # type: ignore[misc]
    def get_reply(self, data: bytes) -> bytes:
        request = DNSRecord.parse(data)
        reply = self.server.resolver.resolve(request, self)
        if reply is None:  # black hole: send nothing, the client times out
            raise DNSError("black hole")
        packed: bytes = reply.pack()
        if self.protocol == "udp" and len(packed) > udp_limit(request):
            packed = truncated(request, reply).pack()
        return packed


def _free_port_pair() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


class DnsFixture:
    """UDP and TCP DNS servers on 127.0.0.1, same port, serving ``zone``. With ``sets_ad`` it plays a
    validating resolver the cheap way: it sets the AD bit, when asked for it (AD or DO), on answers about
    names in ``zone.signed`` (it validates nothing; the unbound tests in tests/check have real DNSSEC)."""

    def __init__(self, zone: Zone, *, sets_ad: bool = False) -> None:
        self.zone = zone
        resolver = _ZoneResolver(zone, sets_ad)
        logger = DNSLogger(log="none", prefix=False)
        for attempt in range(20):
            port = _free_port_pair()
            try:
                self.udp = DNSServer(resolver, address="127.0.0.1", port=port, logger=logger, handler=_Handler)
                self.tcp = DNSServer(
                    resolver, address="127.0.0.1", port=port, tcp=True, logger=logger, handler=_Handler
                )
                break
            except OSError:
                if attempt == 19:
                    raise
        self.port = port
        self._threads: list[threading.Thread] = []
        for server in (self.udp, self.tcp):
            server.start_thread()

    @property
    def nameserver(self) -> str:
        """The ``HOST:PORT`` spec for ``--nameserver``."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        for server in (self.udp, self.tcp):
            server.stop()
            server.server.server_close()
