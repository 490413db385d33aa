"""What the shared hosts of a fleet (one host, many domains' policies) have in common.

:mod:`.shared_cloudfront` and :mod:`.shared_worker` take a list of :class:`FleetSite` and answer
:meth:`SharedHosting.site` with a :class:`SiteHosting`: what the domain's ``PolicyLive`` gate waits
for and, for a delegated domain, the records its owner publishes (the fleet makes the TXT records
and the gates). Every argument is checked first, its field named (``sites[3].policy_text``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import validate_policy_text
from pulumi_mta_sts.core.records import policy_url
from pulumi_mta_sts.dns import DnsBackend


@dataclass(frozen=True)
class FleetSite:
    """One domain a shared host serves."""

    domain: str
    """The mail domain (A-label, normal form); its policy host is ``mta-sts.<domain>``."""
    policy_text: str
    """Exactly the policy body to serve (the core's rendered policy)."""
    dns: DnsBackend | None
    """Where the host records of ``mta-sts.<domain>`` go; ``None``: delegated, its owner publishes
    them (:attr:`SiteHosting.customer_records`)."""


@dataclass(frozen=True)
class SiteHosting:
    """How one domain of the fleet is served."""

    domain: str
    policy_url: str
    served: tuple[pulumi.Resource, ...]
    """What must be finished before ``policy_url`` serves ``policy_text`` (the gate's dependencies)."""
    customer_records: pulumi.Output[list[dict[str, str]]]
    """Delegated sites only (else empty): ``[{"name", "type", "value"}]`` the owner publishes."""
    shard: int | None = None
    """The shard (certificate + distribution) serving the domain; ``None`` where there are none."""


def _policy_text_problems(text: object, field: str) -> list[Problem]:
    if not isinstance(text, str):
        return [Problem(field, text, "must be the policy body (a string), e.g. Policy.render()")]
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_POLICY_BYTES:
        return [Problem(field, size, f"is {size} bytes; senders fetch at most {MAX_POLICY_BYTES} bytes")]
    return [p.under(field) for p in validate_policy_text(text)]


def _site_problems(index: int, site: object, allow_delegated: bool) -> tuple[str | None, list[Problem]]:
    field = f"sites[{index}]"
    if not isinstance(site, FleetSite):
        return None, [Problem(field, site, "must be a FleetSite(domain, policy_text, dns)")]
    domain, problems = normalize_hostname(site.domain, f"{field}.domain")
    if domain is not None and domain != site.domain:
        reason = f"must be in normal form (lower-case A-labels, no trailing dot): {domain!r}"
        problems = [Problem(f"{field}.domain", site.domain, reason)]
    problems += _policy_text_problems(site.policy_text, f"{field}.policy_text")
    if site.dns is None and not allow_delegated:
        problems.append(Problem(f"{field}.dns", None, "is required: this host cannot serve a delegated domain"))
    elif site.dns is not None and not isinstance(site.dns, DnsBackend):
        reason = "must be a DNS backend (Route53Dns or CloudflareDns) or None for a delegated domain"
        problems.append(Problem(f"{field}.dns", site.dns, reason))
    return domain, problems


def site_problems(sites: object, *, allow_delegated: bool = True) -> list[Problem]:
    """Every problem with a list of sites: each site's fields, and a domain listed twice."""
    if isinstance(sites, str | bytes) or not isinstance(sites, Sequence):
        return [Problem("sites", sites, "must be a list of FleetSite")]
    problems: list[Problem] = []
    domains = []
    for index, site in enumerate(sites):
        domain, found = _site_problems(index, site, allow_delegated)
        problems += found
        if domain is not None:
            domains.append(domain)
    problems += [
        Problem("sites", domain, "lists this domain more than once; give each domain one site")
        for domain, n in Counter(domains).items()
        if n > 1
    ]
    return problems


def checked_sites(sites: Sequence[FleetSite], *, allow_delegated: bool = True) -> tuple[FleetSite, ...]:
    """``sites`` in domain order, or :class:`InputError` with every problem."""
    problems = site_problems(sites, allow_delegated=allow_delegated)
    if problems:
        raise InputError(problems)
    return tuple(sorted(sites, key=lambda s: s.domain))


class SharedHosting(pulumi.ComponentResource):
    """A host serving every site of a fleet; :meth:`site` says how one domain is served."""

    hosted: dict[str, SiteHosting]

    def site(self, domain: str) -> SiteHosting:
        """How ``domain`` (one of the sites) is served; :class:`KeyError` naming it otherwise."""
        try:
            return self.hosted[domain]
        except KeyError:
            raise KeyError(f"{domain!r} is not one of the sites of this shared host") from None

    @staticmethod
    def _url_of(site: FleetSite) -> str:
        return policy_url(site.domain)


def no_records() -> pulumi.Output[list[dict[str, str]]]:
    """The ``customer_records`` of a site whose DNS the stack manages."""
    return pulumi.Output.from_input([])


def as_records(
    records: Sequence[tuple[pulumi.Input[str], str, pulumi.Input[str]]],
) -> pulumi.Output[list[dict[str, str]]]:
    """``(name, type, value)`` triples (Outputs or not) as the ``customer_records`` list."""
    items = [
        pulumi.Output.all(name, rtype, value).apply(lambda v: {"name": v[0], "type": v[1], "value": v[2]})
        for name, rtype, value in records
    ]
    return pulumi.Output.all(*items).apply(list)
