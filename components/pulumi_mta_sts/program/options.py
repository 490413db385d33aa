"""How one run of the stack program may reach the outside world (live DNS look-ups, nothing else):
an argument of the run, :class:`ProgramOptions`, never something a module reads on its own.
``mta-sts plan`` hands its flags' options to the program with :func:`running_with` (a context
variable around ``runpy``: Pulumi's tasks copy it); under ``pulumi up`` nobody sets it and
:func:`current_options` reads ``MTA_STS_NO_LIVE_DNS`` / ``MTA_STS_NAMESERVERS`` instead.
:func:`open_live_dns` makes the one resolver every live step of the run uses. No Pulumi import.
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

#: Why a run makes no live look-ups when its options say so (shown in the skipped checks' warnings).
LIVE_DNS_DISABLED = f"live DNS disabled (--no-live-dns or {NO_LIVE_DNS_ENV})"
#: How a run says that DNS cannot be reached at all (followed by why, where it is said first).
LIVE_DNS_UNREACHABLE = "live DNS cannot be reached"


def check_nameservers(specs: Sequence[str], field: str) -> tuple[str, ...]:
    """``specs`` (``ADDRESS[:PORT]``) as given, or :class:`InputError` naming ``field`` and every bad one."""
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
    """What one run of the stack program may do beyond registering resources."""

    live_dns: bool = True
    """Make the live look-ups (preflight, hand-made records); off: each is skipped with a warning."""
    nameservers: tuple[str, ...] = ()
    """``ADDRESS[:PORT]`` servers to ask; empty: the system resolver."""
    dns_timeout: float = DNS_TIMEOUT
    offline_reason: str = LIVE_DNS_DISABLED
    """Why there is no live DNS when ``live_dns`` is off: the switch, or what the caller found
    (``mta-sts plan`` probes DNS once and, when it cannot be reached, runs the program without it)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ProgramOptions:
        """The options the documented switches ask for; a malformed server is an :class:`InputError`."""
        return cls(
            live_dns=live_dns_enabled(environ),
            nameservers=check_nameservers(nameservers_from_env(environ), NAMESERVERS_ENV),
        )


#: The options of the program run in this context (:func:`running_with`).
PROGRAM_OPTIONS: ContextVar[ProgramOptions] = ContextVar("pulumi_mta_sts.program_options")


def current_options() -> ProgramOptions:
    """The options handed to this run, else the environment's (``pulumi up``)."""
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
    """The resolver every live look-up of one run uses, or why there is none (``unavailable``), and
    whether the options switched it off (``disabled``) rather than it failing."""

    resolver: dns.resolver.Resolver | None
    unavailable: str = ""
    disabled: bool = False


def open_live_dns(options: ProgramOptions) -> LiveDns:
    """The resolver the options ask for. A system without resolver configuration is no error of the
    stack: the live checks are skipped with a warning saying why."""
    if not options.live_dns:
        return LiveDns(None, options.offline_reason, disabled=True)
    try:
        return LiveDns(make_resolver(options.nameservers, timeout=options.dns_timeout))
    except DnsUnreachable as exc:  # the system's configuration names no usable server
        return LiveDns(None, f"{LIVE_DNS_UNREACHABLE}: {exc.reason}")
    except (dns.exception.DNSException, OSError) as exc:
        return LiveDns(None, f"no DNS resolver could be set up: {str(exc) or type(exc).__name__}")


def reachable_live_dns(options: ProgramOptions) -> LiveDns:
    """:func:`open_live_dns`, then one probe (``mta-sts plan``, once per run): no resolver, with why,
    when none of its servers answers, so nothing after it waits on a dead server."""
    live = open_live_dns(options)
    if live.resolver is None:
        return live
    reason = unreachable_reason(live.resolver, options.dns_timeout)
    return live if reason is None else LiveDns(None, f"{LIVE_DNS_UNREACHABLE}: {reason}")
