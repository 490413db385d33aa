"""The resolver behind every live DNS look-up: the checker's, the stack preflight's and the
existing-record warnings'.

One place decides which resolver is used, so tests (and users behind split-horizon DNS) can
point every look-up at one server. Two documented switches name it for the stack program under
``pulumi up`` / ``pulumi preview``, where the program has no command line; they are read only
when asked (:func:`live_dns_enabled`, :func:`nameservers_from_env`; the program does it in
:meth:`pulumi_mta_sts.program.options.ProgramOptions.from_environment`):

- ``MTA_STS_NAMESERVERS``: comma-separated ``ADDRESS[:PORT]`` list used instead of the system
  resolver (e.g. ``127.0.0.1:5353``); :func:`make_resolver` falls back to it when given no
  servers.
- ``MTA_STS_NO_LIVE_DNS=1``: the stack program makes no DNS queries at all; checks that need
  live DNS are skipped with a warning (``mta-sts plan --no-live-dns`` asks for the same as an
  argument of the run).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence

import dns.resolver

from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError, Problem

__all__ = [
    "NAMESERVERS_ENV",
    "NO_LIVE_DNS_ENV",
    "live_dns_enabled",
    "make_resolver",
    "nameservers_from_env",
    "parse_nameserver",
]

NAMESERVERS_ENV = "MTA_STS_NAMESERVERS"
NO_LIVE_DNS_ENV = "MTA_STS_NO_LIVE_DNS"


def live_dns_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``MTA_STS_NO_LIVE_DNS`` is set to a true value (1, true, yes, on) in ``environ``
    (default: the process environment)."""
    value = (os.environ if environ is None else environ).get(NO_LIVE_DNS_ENV, "")
    return value.strip().lower() not in {"1", "true", "yes", "on"}


def parse_nameserver(spec: str, field: str = "--nameserver") -> tuple[str, int]:
    """``ADDRESS``, ``ADDRESS:PORT``, ``[V6]:PORT`` or a bare IPv6 address → ``(address, port)``.

    The host must be an IP address: a name (``localhost``) would need a resolver to find the
    resolver, and dnspython refuses it with a traceback deep inside the first query. Any other
    spec is an :class:`InputError` naming ``field`` and the fix, never another exception."""
    text = spec.strip()
    host, port = text, 53
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise InputError([Problem(field, spec, f"{spec!r} has '[' without ']'; use [ADDRESS]:PORT")])
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InputError([Problem(field, spec, f"{spec!r} is not ADDRESS[:PORT]")])
            port = _port(rest[1:], spec, field)
    elif text.count(":") == 1:
        host, raw_port = text.split(":")
        port = _port(raw_port, spec, field)
    return _address(host, spec, field), port


def _address(host: str, spec: str, field: str) -> str:
    """``host`` as the IP address text dnspython takes; :class:`InputError` for anything else."""
    if not host:
        raise InputError([Problem(field, spec, f"{spec!r} has no address; use ADDRESS[:PORT], e.g. 127.0.0.1:53")])
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        shown = host if host.isprintable() and len(host) <= 80 else ascii(host[:80])
        raise InputError(
            [
                Problem(
                    field,
                    spec,
                    f"{shown!r} is not an IP address; give the DNS server's IP address, "
                    "e.g. 127.0.0.1, 127.0.0.1:5353 or [::1]:53",
                )
            ]
        ) from None


def _port(raw: str, spec: str, field: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise InputError([Problem(field, spec, f"{spec!r} has an invalid port; use a number from 1 to 65535")])
    return int(raw)


def nameservers_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The ``MTA_STS_NAMESERVERS`` list of ``environ`` (default: the process environment), or an
    empty list for the system resolver."""
    raw = (os.environ if environ is None else environ).get(NAMESERVERS_ENV, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def make_resolver(nameservers: Sequence[str] | None = None, timeout: float = DNS_TIMEOUT) -> dns.resolver.Resolver:
    """A dnspython resolver using ``nameservers`` (``ADDRESS[:PORT]``), else the environment's, else
    the system's. ``timeout`` bounds each whole query (``lifetime``)."""
    specs = list(nameservers) if nameservers else nameservers_from_env()
    if specs:
        resolver = dns.resolver.Resolver(configure=False)
        parsed = [parse_nameserver(s) for s in specs]
        resolver.nameservers = [host for host, _ in parsed]
        ports = {host: port for host, port in parsed}
        resolver.nameserver_ports = ports
        resolver.port = parsed[0][1]
    else:
        resolver = dns.resolver.Resolver(configure=True)
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver
