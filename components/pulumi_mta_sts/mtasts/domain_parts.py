"""What ``MtaSts`` (one domain) and ``MtaStsFleet`` (many domains on shared hosting) build the
same way for each mail domain: the checks of its arguments, its DNS backend, and the
``PolicyLive`` gate its ``_mta-sts`` record waits for.

Both components call these, so a library user gets the same message for one mistake from either,
and a domain's id is published after its body is served by the same rule (RFC 8461 §3.3).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from pulumi_mta_sts.config.stack import DnsConfig, dns_config_problems
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import MAX_NAME_LENGTH
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name, validate_rua
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs

from .policy_live import PolicyLive, PolicyLiveArgs

__all__ = ["dns_provider", "make_dns", "name_length_problems", "policy_gate", "rua_problems"]


def dns_provider(backend: object, field_name: str = "dns") -> tuple[str | None, list[Problem]]:
    """Which provider the DNS argument names (``None`` when it cannot be told) and its problems."""
    if isinstance(backend, DnsBackend):
        return backend.provider_name, []
    if isinstance(backend, DnsConfig):
        problems = dns_config_problems(backend, field_name)
        return (None if problems else backend.provider), problems
    reason = "must be a DNS backend (Route53Dns, CloudflareDns) or a DnsConfig(provider, zone_id=..., zone_name=...)"
    return None, [Problem(field_name, backend, reason)]


def rua_problems(rua: object, field_name: str = "rua") -> list[Problem]:
    """``rua``: a list of TLS-RPT report URIs (``mailto:`` / ``https:``)."""
    if isinstance(rua, str) or not isinstance(rua, Sequence):
        reason = "must be a list of mailto: or https: URIs, e.g. ['mailto:tlsrpt@example.com']"
        return [Problem(field_name, rua, reason)]
    return [p for index, uri in enumerate(rua) for p in validate_rua(uri, f"{field_name}[{index}]")]


def name_length_problems(domain: str | None, rua: object, field_name: str = "domain") -> list[Problem]:
    """Every name published for a domain must be a DNS name (at most 253 characters): a domain that
    is itself valid may leave no room for ``mta-sts.``, ``_mta-sts.`` or ``_smtp._tls.`` before it,
    and then no deploy could succeed (ACM and the DNS providers refuse the name)."""
    if domain is None:
        return []
    names = [policy_host(domain), sts_record_name(domain)]
    if rua and not isinstance(rua, str):
        names.append(tlsrpt_record_name(domain))
    longest = max(names, key=len)
    if len(longest) <= MAX_NAME_LENGTH:
        return []
    room = MAX_NAME_LENGTH - (len(longest) - len(domain))
    reason = (
        f"is {len(domain)} characters long, so {longest[: len(longest) - len(domain)]}<domain> would be "
        f"{len(longest)}, over DNS's {MAX_NAME_LENGTH}; MTA-STS here needs a domain of at most {room} characters"
    )
    return [Problem(field_name, domain, reason)]


def make_dns(name: str, cfg: DnsConfig, opts: pulumi.ResourceOptions) -> DnsBackend:
    """The DNS backend ``cfg`` asks for, named ``name``."""
    if cfg.provider == "cloudflare":
        return CloudflareDns(name, CloudflareDnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
    return Route53Dns(name, Route53DnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)


def policy_gate(
    name: str,
    url: str,
    policy_text: str,
    timeout: int,
    serving: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> PolicyLive:
    """``PolicyLive`` named ``name``: exists once ``url`` serves exactly ``policy_text``, after
    ``serving`` (the host's resources); the domain's ``_mta-sts`` record depends on it."""
    return PolicyLive(
        name,
        PolicyLiveArgs(url=url, policy_text=policy_text, timeout=timeout),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(serving)),
    )
