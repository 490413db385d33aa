"""``mta-sts:index:MtaSts`` for every Pulumi language: the Python component with plain inputs mapped
onto its spec. The analyzer reads the annotations: no ``from __future__ import annotations``.
"""

from typing import NotRequired, TypedDict

import pulumi

from pulumi_mta_sts.mtasts import component
from pulumi_mta_sts.spec import deployment

from .convert import dns_config, plain, policy_of
from .types import DnsZone, HostDetails, HostKind, PolicySpec, PriceClass, Record


class MtaStsArgs(TypedDict):
    """The inputs of MtaSts."""

    domain: str
    """The mail domain (example.com); the policy is served at https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    policy: PolicySpec
    """The policy: mode, mx patterns, max_age."""
    dns: DnsZone
    """The zone the _mta-sts and _smtp._tls records (and the host's records) go into."""
    host: NotRequired[HostKind]
    """Who serves the policy: cloudfront or worker. Default: cloudfront on Route53, worker on Cloudflare."""
    rua: NotRequired[list[str]]
    """TLS-RPT report destinations (mailto: or https: URIs); none: no _smtp._tls record."""
    verify_live: NotRequired[bool]
    """Publish a new policy id only once the URL serves the new policy (default: true; off: first deploy only)."""
    verify_timeout: NotRequired[int]
    """Seconds to wait for the URL to serve the new policy before the deploy fails (default: 600)."""
    price_class: NotRequired[PriceClass]
    """CloudFront price class (cloudfront host only; default: PriceClass_100)."""
    tags: NotRequired[dict[str, str]]
    """Tags for the taggable AWS resources."""


def rich_mtasts_args(args: MtaStsArgs) -> deployment.MtaStsArgs:
    """The Python component's arguments for the package inputs ``args``."""
    given = dict(args)
    passed = ("host", "rua", "verify_live", "verify_timeout", "price_class", "tags")  # missing: Python's default
    return deployment.MtaStsArgs(
        domain=given.get("domain"),  # type: ignore[arg-type]  # checked by the component
        policy=policy_of(given.get("policy")),
        dns=dns_config(given.get("dns")),
        **{key: plain(given[key]) for key in passed if key in given},
    )


class MtaSts(component.MtaSts):
    """MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for one mail domain: the policy, its host and its records."""

    policy_id: pulumi.Output[str]
    """The policy's id, derived from its exact bytes (the id= of the _mta-sts record)."""
    policy_url: pulumi.Output[str]
    """https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    policy_text: pulumi.Output[str]
    """The policy file exactly as served."""
    records: pulumi.Output[list[Record]]  # type: ignore[assignment]  # the same dicts, described for the schema
    """Every DNS record the component manages."""
    host: pulumi.Output[HostDetails]  # type: ignore[assignment]  # the same dict, described for the schema
    """What the policy host created."""

    def __init__(self, name: str, args: MtaStsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, rich_mtasts_args(args), opts)
