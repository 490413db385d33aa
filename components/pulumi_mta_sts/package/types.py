"""The enums and objects of the package schema, as Pulumi's analyzer reads them: each attribute's
docstring is its description, the annotations are read as objects (no ``from __future__ import
annotations``), and each name is a schema name (``mta-sts:index:<Name>``), unique in the package.
"""

from enum import Enum
from typing import NotRequired, TypedDict


class PolicyMode(Enum):
    """What a sending MTA does when the receiving MX fails the policy (RFC 8461 §5)."""

    ENFORCE = "enforce"
    """Senders refuse to deliver to an MX that does not match or has no valid certificate."""
    TESTING = "testing"
    """Senders deliver anyway and report failures by TLS-RPT: start here."""
    NONE = "none"
    """Withdraw the policy: senders forget it (keep it served until the old max_age has passed)."""


class DnsProvider(Enum):
    """Where the domain's zone is hosted: where the records go."""

    ROUTE53 = "route53"
    """An Amazon Route53 public hosted zone."""
    CLOUDFLARE = "cloudflare"
    """A Cloudflare zone."""


class HostKind(Enum):
    """Who serves https://mta-sts.<domain>/.well-known/mta-sts.txt."""

    CLOUDFRONT = "cloudfront"
    """A private S3 bucket behind CloudFront with an ACM certificate (any DNS provider)."""
    WORKER = "worker"
    """A Cloudflare Worker (needs the cloudflare DNS provider)."""


class PriceClass(Enum):
    """CloudFront's price class: which edge locations serve the policy (cloudfront host only)."""

    PRICE_CLASS_100 = "PriceClass_100"
    """North America and Europe: the cheapest."""
    PRICE_CLASS_200 = "PriceClass_200"
    """Also most of Asia, the Middle East and Africa."""
    PRICE_CLASS_ALL = "PriceClass_All"
    """Every edge location."""


class PolicySpec(TypedDict):
    """The MTA-STS policy to serve (RFC 8461 §3.2); its id is derived from its exact bytes."""

    mode: NotRequired[PolicyMode]
    """enforce, testing or none (default: testing)."""
    mx: NotRequired[list[str]]
    """The MX host patterns senders accept (mx1.example.com, *.example.net); at least one unless mode is none."""
    max_age: NotRequired[int]
    """Seconds senders cache the policy: 0 to 31557600 (default: one day and a second, 86401)."""
    extensions: NotRequired[dict[str, str]]
    """Extension fields of the policy file (RFC 8461 §3.2 sts-policy-extension), rarely needed."""


class DnsZone(TypedDict):
    """The zone the records go into. Give zone_id when known, else zone_name (looked up at deploy time)."""

    provider: DnsProvider
    """route53 or cloudflare."""
    zone_id: NotRequired[str]
    """The zone's id (Route53: Z...; Cloudflare: 32 hex characters); no look-up is made."""
    zone_name: NotRequired[str]
    """The zone's domain (example.com), looked up when zone_id is not given."""


class Record(TypedDict):
    """A DNS record the component manages."""

    name: str
    """The fully qualified name, no trailing dot."""
    type: str
    """TXT, A, AAAA, CNAME or MX."""
    value: str
    """The value as resolvers return it (a TXT value unquoted)."""


class HostDetails(TypedDict):
    """What the policy host created, worth showing."""

    kind: str
    """cloudfront or worker."""
    url: str
    """The policy URL, https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    bucket: NotRequired[str]
    """The private S3 bucket holding the policy (cloudfront)."""
    distribution_id: NotRequired[str]
    """The CloudFront distribution's id (cloudfront)."""
    distribution_domain_name: NotRequired[str]
    """The distribution's *.cloudfront.net name that mta-sts.<domain> points at (cloudfront)."""
    certificate_arn: NotRequired[str]
    """The ACM certificate of mta-sts.<domain> (cloudfront)."""
    script_name: NotRequired[str]
    """The Cloudflare Worker script's name (worker)."""
