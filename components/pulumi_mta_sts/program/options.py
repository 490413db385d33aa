"""How one run of the stack program may reach the outside world (live DNS, nothing else): an
argument of the run, never something a module reads on its own. ``mta-sts plan`` hands it over
with :func:`running_with` (a context variable: Pulumi's tasks copy it); under ``pulumi up`` it comes
from ``MTA_STS_NO_LIVE_DNS`` / ``MTA_STS_NAMESERVERS``. No Pulumi import.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import dns.exception
import dns.resolver

from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.net.resolver import (
    NAMESERVERS_ENV,
    NO_LIVE_DNS_ENV,
    DnsUnreachable,
    live_dns_enabled,
    make_resolver,
    nameservers_from_env,
    parse_nameserver,
    unreachable_reason,
)

LIVE_DNS_DISABLED = f"live DNS disabled (--no-live-dns or {NO_LIVE_DNS_ENV})"
LIVE_DNS_UNREACHABLE = "live DNS cannot be reached"


def check_nameservers(specs: Sequence[str], field: str) -> tuple[str, ...]:
    """``specs`` (``ADDRESS[:PORT]``) as given, or :class:`InputError` naming every bad one."""
    problems: list[Problem] = []
    for spec in specs:
        try:
            parse_nameserver(spec, field)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return tuple(specs)


@dataclass(frozen=True)
class ProgramOptions:
    """What one run may do beyond registering resources: live look-ups (off: each is skipped with a
    warning saying ``offline_reason``), asking ``nameservers`` (empty: the system resolver)."""

    live_dns: bool = True
    nameservers: tuple[str, ...] = ()
    dns_timeout: float = DNS_TIMEOUT
    offline_reason: str = LIVE_DNS_DISABLED

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ProgramOptions:
        """The options the documented switches ask for."""
        return cls(
            live_dns=live_dns_enabled(environ),
            nameservers=check_nameservers(nameservers_from_env(environ), NAMESERVERS_ENV),
        )


PROGRAM_OPTIONS: ContextVar[ProgramOptions] = ContextVar("pulumi_mta_sts.program_options")


def current_options() -> ProgramOptions:
    """The options handed to this run, else the environment's."""
    try:
        return PROGRAM_OPTIONS.get()
    except LookupError:
        return ProgramOptions.from_environment()


@contextmanager
def running_with(options: ProgramOptions) -> Iterator[ProgramOptions]:
    """Run the stack program inside this block to hand it ``options``."""
    token = PROGRAM_OPTIONS.set(options)
    try:
        yield options
    finally:
        PROGRAM_OPTIONS.reset(token)


@dataclass(frozen=True)
class LiveDns:
    """The run's one resolver, or why there is none (``disabled``: the options switched it off)."""

    resolver: dns.resolver.Resolver | None
    unavailable: str = ""
    disabled: bool = False


def open_live_dns(options: ProgramOptions) -> LiveDns:
    """The resolver the options ask for; none (the live checks skipped, saying why) is no error."""
    if not options.live_dns:
        return LiveDns(None, options.offline_reason, disabled=True)
    try:
        return LiveDns(make_resolver(options.nameservers, timeout=options.dns_timeout))
    except DnsUnreachable as exc:  # the system's configuration names no usable server
        return LiveDns(None, f"{LIVE_DNS_UNREACHABLE}: {exc.reason}")
    except (dns.exception.DNSException, OSError) as exc:
        return LiveDns(None, f"no DNS resolver could be set up: {str(exc) or type(exc).__name__}")


def reachable_live_dns(options: ProgramOptions) -> LiveDns:
    """:func:`open_live_dns`, then one probe: no resolver when no server answers, so nothing waits on one."""
    live = open_live_dns(options)
    if live.resolver is None:
        return live
    reason = unreachable_reason(live.resolver, options.dns_timeout)
    return live if reason is None else LiveDns(None, f"{LIVE_DNS_UNREACHABLE}: {reason}")
