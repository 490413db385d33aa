"""The resolver behind every live DNS look-up (tests and split-horizon users point all at one server;
under ``pulumi up`` the environment stands in for the flags), and one short probe of whether DNS can be
reached at all, so ``check`` and ``plan`` say so once instead of a timeout per domain."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import selectors
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.nameserver
import dns.rcode
import dns.resolver

from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError, Problem

from .deadline import Deadline

NAMESERVERS_ENV = "MTA_STS_NAMESERVERS"
NO_LIVE_DNS_ENV = "MTA_STS_NO_LIVE_DNS"


def live_dns_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``MTA_STS_NO_LIVE_DNS`` is 1, true, yes or on (default: in the process environment)."""
    value = (os.environ if environ is None else environ).get(NO_LIVE_DNS_ENV, "")
    return value.strip().lower() not in {"1", "true", "yes", "on"}


def parse_nameserver(spec: str, field: str = "--nameserver") -> tuple[str, int]:
    """``ADDRESS``, ``ADDRESS:PORT``, ``[V6]:PORT`` or bare IPv6 → ``(address, port)``, else :class:`InputError`.
    Never a name: it would need a resolver to find the resolver (dnspython fails deep in the first query)."""

    def wrong(reason: str) -> InputError:
        return InputError([Problem(field, spec, reason)])

    text = spec.strip()
    host, port = text, "53"
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise wrong(f"{spec!r} has '[' without ']'; use [ADDRESS]:PORT")
        host, rest = text[1:close], text[close + 1 :]
        if rest and not rest.startswith(":"):
            raise wrong(f"{spec!r} is not ADDRESS[:PORT]")
        port = rest[1:] if rest else port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise wrong(f"{spec!r} has an invalid port; use a number from 1 to 65535")
    if not host:
        raise wrong(f"{spec!r} has no address; use ADDRESS[:PORT], e.g. 127.0.0.1:53")
    try:
        return str(ipaddress.ip_address(host)), int(port)
    except ValueError:
        shown = host if host.isprintable() and len(host) <= 80 else ascii(host[:80])
        example = "e.g. 127.0.0.1, 127.0.0.1:5353 or [::1]:53"
        raise wrong(f"{shown!r} is not an IP address; give the DNS server's IP address, {example}") from None


def nameservers_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The ``MTA_STS_NAMESERVERS`` list (empty: the system resolver)."""
    raw = (os.environ if environ is None else environ).get(NAMESERVERS_ENV, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


#: The file the system's DNS servers are read from (POSIX); messages about them name it.
SYSTEM_RESOLV_CONF = "/etc/resolv.conf"
#: How many times the probe asks each server (a lost datagram is no outage), within one DNS timeout.
PROBE_ATTEMPTS = 2
#: At most this many servers are probed (a resolver asks the first few in turn anyway).
_PROBED_SERVERS = 10
#: A query's first three servers share its time limit: a silent first one leaves time to the others.
_SHARED_BY = 3


#: What to do when the DNS servers do not answer (nothing the user typed is to blame).
OFFLINE_FIX = "is this machine offline, or the DNS server down? Try again once DNS answers"


class DnsUnreachable(dns.exception.DNSException):
    """No DNS server can be reached, so no domain is to blame; ``reason`` names the servers, never a flag."""

    def __init__(self, reason: str, fix: str = OFFLINE_FIX) -> None:
        super().__init__(f"DNS cannot be reached: {reason}")  # type: ignore[no-untyped-call]
        self.reason, self.fix = reason, fix


class _Resolver(dns.resolver.Resolver):
    origin: str = ""  # where its servers came from, for the messages about them


def make_resolver(nameservers: Sequence[str] | None = None, timeout: float = DNS_TIMEOUT) -> dns.resolver.Resolver:
    """A resolver asking ``nameservers``, else the environment's, else the system's; ``timeout`` bounds a query."""
    specs = list(nameservers) if nameservers else nameservers_from_env()
    if specs:
        resolver = _Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(spec)) for spec in specs]
        resolver.origin = "" if nameservers else f"the DNS servers of {NAMESERVERS_ENV}"
    else:
        resolver = _system_resolver()
    resolver.timeout = timeout / max(1, min(len(resolver.nameservers), _SHARED_BY))
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def _system_resolver() -> _Resolver:
    """The resolver of :data:`SYSTEM_RESOLV_CONF`; :class:`DnsUnreachable` naming the file if unusable."""
    fix = f"{SYSTEM_RESOLV_CONF} needs a 'nameserver ADDRESS' line with the IP address of a DNS server"
    try:
        resolver = _Resolver(filename=SYSTEM_RESOLV_CONF, configure=True)
    except dns.resolver.NoResolverConfiguration as exc:
        why = "cannot be read" if "cannot open" in str(exc) else "names no DNS server"
        raise DnsUnreachable(f"no DNS server is configured: {SYSTEM_RESOLV_CONF} {why}", fix) from None
    except ValueError as exc:  # dnspython: "nameserver NAME is not ... IP address ..."
        named = re.match(r"nameserver (\S+) is not", str(exc))
        what = f"{named.group(1)!r}, which is not an IP address" if named else "a DNS server that cannot be used"
        raise DnsUnreachable(f"{SYSTEM_RESOLV_CONF} names {what}", fix) from None
    resolver.origin = f"the DNS servers of {SYSTEM_RESOLV_CONF}"
    return resolver


@dataclass
class _Probed:
    """One server probed over a connected UDP socket ("port unreachable" comes back at once), and its failure."""

    address: str
    port: int
    sock: socket.socket | None = None
    failure: str = ""

    @property
    def where(self) -> str:
        if self.port == 53:
            return self.address
        return f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"

    def open(self, stack: contextlib.ExitStack) -> None:
        try:
            family, kind, proto, _, sockaddr = socket.getaddrinfo(
                self.address, self.port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST
            )[0]
            self.sock = stack.enter_context(socket.socket(family, kind, proto))
            self.sock.setblocking(False)
            self.sock.connect(sockaddr)
        except OSError as exc:
            self._failed(exc)

    def send(self, wire: bytes) -> None:
        if self.sock is not None and not self.failure:
            try:
                self.sock.send(wire)
            except OSError as exc:
                self._failed(exc)

    def answered(self, query: dns.message.Message) -> bool:
        """Whether an answer to ``query`` arrived from a working server (even a refusal; not SERVFAIL)."""
        assert self.sock is not None
        try:
            response = dns.message.from_wire(self.sock.recv(65535))
        except OSError as exc:
            self._failed(exc)
            return False
        except dns.exception.DNSException:  # not a DNS message: keep waiting for one
            return False
        if not query.is_response(response):
            return False
        if response.rcode() == dns.rcode.SERVFAIL:
            self.failure = "answers SERVFAIL even for the root zone (it cannot resolve anything)"
            return False
        return True

    def _failed(self, exc: OSError) -> None:
        if isinstance(exc, ConnectionRefusedError):
            self.failure = "nothing answers DNS there (port unreachable)"
        else:
            self.failure = f"cannot be reached ({exc.strerror or exc})"


def _probed_servers(resolver: dns.resolver.Resolver) -> list[_Probed]:
    """The plain-DNS servers of ``resolver`` (DNS over HTTPS or TLS is not probed)."""
    found: list[_Probed] = []
    for server in resolver.nameservers[:_PROBED_SERVERS]:
        if isinstance(server, str):
            found.append(_Probed(server, resolver.nameserver_ports.get(server, resolver.port)))
        elif isinstance(server, dns.nameserver.Do53Nameserver):
            found.append(_Probed(server.address, server.port))
    return found


def unreachable_reason(resolver: dns.resolver.Resolver, timeout: float) -> str | None:
    """Why no DNS server of ``resolver`` can be reached, or ``None``. All are asked the root's NS (answered at
    once, even refused) side by side; one "port unreachable" or without a route is given up at once."""
    if not resolver.nameservers:
        return "no DNS server is configured"
    servers = _probed_servers(resolver)
    if not servers:
        return None
    query = dns.message.make_query(".", "NS")
    wire = query.to_wire()
    with contextlib.ExitStack() as stack:
        for server in servers:
            server.open(stack)
        for _ in range(PROBE_ATTEMPTS):
            for server in servers:
                server.send(wire)
            if _an_answer(servers, query, Deadline(timeout / PROBE_ATTEMPTS)):
                return None
    origin = str(getattr(resolver, "origin", ""))
    why = "; ".join(f"{s.where}: {s.failure or f'no answer within {timeout:g} s'}" for s in servers)
    return f"{why} ({origin})" if origin else why


def _an_answer(servers: Sequence[_Probed], query: dns.message.Message, deadline: Deadline) -> bool:
    with selectors.DefaultSelector() as waiting:
        for server in servers:
            if server.sock is not None and not server.failure:
                waiting.register(server.sock, selectors.EVENT_READ, server)
        while waiting.get_map():
            try:
                ready = waiting.select(deadline.remaining())
            except TimeoutError:
                return False
            for key, _ in ready:
                asked: _Probed = key.data
                if asked.answered(query):
                    return True
                if asked.failure:
                    waiting.unregister(key.fileobj)
    return False


def ensure_reachable(resolver: dns.resolver.Resolver, timeout: float) -> None:
    reason = unreachable_reason(resolver, timeout)
    if reason is not None:
        raise DnsUnreachable(reason)
