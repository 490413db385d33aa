"""``mta-sts:reporting.per_mx`` (issue 27): publish ``_smtp._tls.<mx host>`` with the domain's ``rua``
for the MX hosts in the zone this stack manages. Some DANE senders look for TLS-RPT at the MX host
(RFC 8460 §3 read with the MX host as the policy domain); the domain's own record stays as it is.

Which hosts: ``reporting.per_mx_hosts`` when given (each must be in the zone and covered by the
policy's ``mx`` patterns), else the policy's exact (non-wildcard) ``mx`` entries in the zone: a
pattern such as ``*.mail.example.com`` names no host, so the stack cannot know it without the list.
Problems name keys relative to the domain's settings (``reporting.per_mx``); the caller puts them
under its prefix. Nothing here registers anything: the config is refused before any resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import MAX_NAME_LENGTH, normalize_hostname
from pulumi_mta_sts.core.matching import matches
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import tlsrpt_record_name

from .deployment import DnsConfig
from .rules import boolean

#: The keys of ``mta-sts:reporting`` this module reads.
PER_MX_KEYS = ("per_mx", "per_mx_hosts")
_HOSTS = "per_mx_hosts"


class _Receiver(Protocol):
    @property
    def enabled(self) -> bool: ...


class _Reporting(Protocol):
    """The rest of ``mta-sts:reporting`` as the loader read it (``config.sections.ReportingConfig``)."""

    @property
    def rua(self) -> Sequence[str]: ...

    @property
    def receiver(self) -> _Receiver: ...


@dataclass(frozen=True)
class PerMxSetting:
    """What the loader knows when it reads the keys: the domain, its DNS zone, policy and reporting."""

    domain: str | None
    dns: DnsConfig | None
    policy: Policy | None
    reporting: _Reporting
    fleet: bool

    @property
    def zone(self) -> str | None:
        """The zone the stack manages (``dns.zone_name``; the domain itself when only ``zone_id`` is given)."""
        return (self.dns.zone_name if self.dns else None) or self.domain


def per_mx_hosts(raw: object, setting: PerMxSetting) -> tuple[tuple[str, ...], list[Problem]]:
    """The MX hosts to publish ``_smtp._tls.<host>`` at (empty: ``per_mx`` is off) and the problems."""
    values = raw if isinstance(raw, Mapping) else {}
    enabled, problems = boolean("per_mx", values.get("per_mx"), False)
    listed, found = _listed_hosts(values.get(_HOSTS))
    problems += found
    if problems:
        return (), problems
    if not enabled:
        reason = "is set but per_mx is false; set per_mx: true to publish the records, or remove it"
        return (), [Problem(_HOSTS, listed, reason)] if listed else []
    problems = _refusals(setting)
    if problems or setting.domain is None or setting.policy is None:
        return (), problems
    zone = setting.zone or setting.domain
    if listed:
        problems = [p for index, host in enumerate(listed) for p in _listed_problems(host, index, zone, setting.policy)]
        chosen = listed
    else:
        exact = [host for host in setting.policy.mx if not host.startswith("*.")]
        chosen = [host for host in exact if _in_zone(host, zone)]
        problems = [] if chosen else [_unknown_hosts(exact, zone)]
    hosts = tuple(dict.fromkeys(h for h in chosen if h != setting.domain))  # the domain's record is its own
    return (hosts, []) if not problems else ((), problems)


def _listed_hosts(raw: object) -> tuple[list[str], list[Problem]]:
    if raw is None:
        return [], []
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        return [], [Problem(_HOSTS, raw, "must be a list of MX host names, e.g. [mx1.example.com]")]
    hosts: list[str] = []
    problems: list[Problem] = []
    for index, item in enumerate(raw):
        host, found = normalize_hostname(item, f"{_HOSTS}[{index}]")
        problems += found
        if host is not None:
            hosts.append(host)
    return hosts, problems


def _refusals(setting: PerMxSetting) -> list[Problem]:
    """What per_mx cannot do in this stack, whatever the hosts."""
    if setting.fleet:
        reason = "is available in a one-domain stack only; publish _smtp._tls.<mx host> in the MX zone's own stack"
        return [Problem("per_mx", True, reason)]
    if setting.reporting.receiver.enabled:
        reason = (
            "cannot be combined with reporting.receiver yet (its address is known only after deploy); "
            "list the receiver's mailbox in reporting.rua and turn the receiver off, or set per_mx: false"
        )
        return [Problem("per_mx", True, reason)]
    if not setting.reporting.rua:
        return [Problem("per_mx", True, "needs reporting.rua: the per-MX records carry the domain's rua")]
    return []


def _in_zone(host: str, zone: str) -> bool:
    return host == zone or host.endswith("." + zone)


def _listed_problems(host: str, index: int, zone: str, policy: Policy) -> list[Problem]:
    key = f"{_HOSTS}[{index}]"
    if not _in_zone(host, zone):
        reason = (
            f"is not in the zone {zone} this stack manages; remove it (publish _smtp._tls.{host} "
            "from the stack that manages its zone)"
        )
        return [Problem(key, host, reason)]
    if policy.mx and not matches(host, policy.mx):
        reason = f"is not covered by the policy's mx ({', '.join(policy.mx)}); list only MX hosts of the domain"
        return [Problem(key, host, reason)]
    name = tlsrpt_record_name(host)
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(key, host, f"{name} would be {len(name)} characters, over DNS's {MAX_NAME_LENGTH}")]
    return []


def _unknown_hosts(exact: Sequence[str], zone: str) -> Problem:
    if not exact:
        reason = (
            "needs the MX hosts: the policy's mx entries are patterns (or none), which name no host; "
            f"list the MX hosts in {_HOSTS}, e.g. [mx1.{zone}]"
        )
    else:
        reason = (
            f"none of the MX hosts ({', '.join(exact)}) is in the zone {zone} this stack manages; "
            "set per_mx: false (publish the records from the stack of the MX hosts' zone)"
        )
    return Problem("per_mx", True, reason)
