"""What the shared hosts of a fleet (:mod:`.shared_cloudfront`, :mod:`.worker`) have in common: a list
of :class:`FleetSite` in, checked by :func:`site_problems` before anything registers, and per domain a
:class:`SiteHosting` out: what its ``PolicyLive`` gate waits for, and a delegated domain's records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import validate_policy_text
from pulumi_mta_sts.dns import DnsBackend


@dataclass(frozen=True)
class FleetSite:
    """One domain a shared host serves: ``domain`` in normal form, exactly the ``policy_text`` to
    serve, and where ``mta-sts.<domain>``'s records go (``None``: delegated, its owner publishes them)."""

    domain: str
    policy_text: str
    dns: DnsBackend | None


@dataclass(frozen=True)
class SiteHosting:
    """How one domain is served: ``served``, what its gate waits for; ``customer_records``, what a
    delegated domain's owner publishes; ``shard``, its certificate and distribution (CloudFront)."""

    domain: str
    policy_url: str
    served: tuple[pulumi.Resource, ...]
    customer_records: pulumi.Output[list[dict[str, str]]]
    shard: int | None = None


def _site_problems(index: int, site: object, allow_delegated: bool) -> tuple[str | None, list[Problem]]:
    field = f"sites[{index}]"
    if not isinstance(site, FleetSite):
        return None, [Problem(field, site, "must be a FleetSite(domain, policy_text, dns)")]
    domain, problems = normalize_hostname(site.domain, f"{field}.domain")
    if domain is not None and domain != site.domain:
        reason = f"must be in normal form (lower-case A-labels, no trailing dot): {domain!r}"
        problems = [Problem(f"{field}.domain", site.domain, reason)]
    text, text_field = site.policy_text, f"{field}.policy_text"
    size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0
    if not isinstance(text, str):
        problems.append(Problem(text_field, text, "must be the policy body (a string), e.g. Policy.render()"))
    elif size > MAX_POLICY_BYTES:
        problems.append(Problem(text_field, size, f"is {size} bytes; senders fetch at most {MAX_POLICY_BYTES} bytes"))
    else:
        problems += [p.under(text_field) for p in validate_policy_text(text)]
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


class SharedHosting(pulumi.ComponentResource):
    """A host serving every site of a fleet."""

    hosted: dict[str, SiteHosting]

    def site(self, domain: str) -> SiteHosting:
        """How ``domain`` is served; a :class:`KeyError` naming it if it is no site."""
        try:
            return self.hosted[domain]
        except KeyError:
            raise KeyError(f"{domain!r} is not one of the sites of this shared host") from None


def as_records(
    records: Sequence[tuple[pulumi.Input[str], str, pulumi.Input[str]]],
) -> pulumi.Output[list[dict[str, str]]]:
    """``(name, type, value)`` triples (Outputs or not) as the ``customer_records`` list (none: a site
    whose DNS the stack manages)."""
    items = [
        pulumi.Output.all(name, rtype, value).apply(lambda v: {"name": v[0], "type": v[1], "value": v[2]})
        for name, rtype, value in records
    ]
    return pulumi.Output.all(*items).apply(list)
