"""Physical names that fit every provider's limit, for every valid domain.

A mail domain may be 253 characters long; most cloud resources limit their names to 63, 64 or
80 characters, and Pulumi's autonaming adds ``-`` and 7 random characters to a logical name.
A name built from the domain (dots as dashes) therefore breaks ``pulumi up`` for long domains
unless it is cut. :func:`physical_name` gives a name that always fits: the readable slug as it
is when it fits (so the names of existing stacks do not change and nothing is replaced), and
otherwise the slug cut to fit plus ``-`` and a short hash of the whole uncut slug, so two
domains that differ only after the cut still get two names.

The limits are data (:data:`NAME_RULES`), each with the provider page it comes from; this
module is pure (standard library only) so the config, the components and the tests share it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from .errors import Problem

__all__ = [
    "AUTONAME_SUFFIX_LENGTH",
    "CLOUDFRONT_FUNCTION",
    "CLOUDFRONT_OAC",
    "CLOUDWATCH_ALARM",
    "HASH_LENGTH",
    "IAM_POLICY",
    "IAM_ROLE",
    "LAMBDA_FUNCTION",
    "LOG_GROUP",
    "NAME_RULES",
    "RESERVED_PREFIX_ESCAPE",
    "S3_BUCKET",
    "SES_RECEIPT_RULE",
    "SES_RULE_SET",
    "SNS_TOPIC",
    "SQS_QUEUE",
    "WORKER_SCRIPT",
    "NameRule",
    "autoname_base",
    "name_problem",
    "physical_name",
    "slug",
    "zone_apex_for",
]

#: Pulumi's default autonaming appends ``-`` and 7 random characters to the logical name
#: (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming).
AUTONAME_SUFFIX_LENGTH: Final = 8
#: Characters of the hash added to a cut name: 8 base32 characters are 40 bits, so a clash
#: between two domains of one account is about one in a trillion.
HASH_LENGTH: Final = 8


@dataclass(frozen=True)
class NameRule:
    """What a provider accepts as the physical name of one kind of resource."""

    kind: str
    """The resource kind (a short label used in messages and tests)."""
    limit: int
    """The longest name the provider accepts."""
    charset: str
    """A regular-expression character class of the characters the provider accepts."""
    source: str
    """The provider's documentation of the limit."""
    lowercase: bool = False
    """Upper-case letters are refused (S3 buckets, Worker names)."""
    alnum_edges: bool = False
    """The name must start and end with a letter or a digit."""
    autonamed: bool = True
    """Pulumi autonames the resource when no physical name is given (``-`` + 7 characters)."""
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()

    def accepts(self, name: str) -> bool:
        """Whether the provider takes ``name`` as it is."""
        return name_problem(self, name) is None


_AWS = "https://docs.aws.amazon.com"
IAM_ROLE: Final = NameRule("iam-role", 64, r"A-Za-z0-9+=,.@_-", f"{_AWS}/IAM/latest/APIReference/API_CreateRole.html")
IAM_POLICY: Final = NameRule(
    "iam-policy", 128, r"A-Za-z0-9+=,.@_-", f"{_AWS}/IAM/latest/APIReference/API_PutRolePolicy.html"
)
LAMBDA_FUNCTION: Final = NameRule(
    "lambda-function", 64, r"A-Za-z0-9_-", f"{_AWS}/lambda/latest/api/API_CreateFunction.html"
)
S3_BUCKET: Final = NameRule(
    "s3-bucket",
    63,
    r"a-z0-9.-",
    f"{_AWS}/AmazonS3/latest/userguide/bucketnamingrules.html",
    lowercase=True,
    alnum_edges=True,
    forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
)
#: SES: a letter or a digit at both ends; older API pages say "less than 64 characters", newer
#: ones "64 characters or fewer": 63 satisfies both.
SES_RECEIPT_RULE: Final = NameRule(
    "ses-receipt-rule",
    63,
    r"A-Za-z0-9_.-",
    f"{_AWS}/ses/latest/APIReference/API_ReceiptRule.html",
    alnum_edges=True,
    autonamed=False,
)
SES_RULE_SET: Final = NameRule(
    "ses-rule-set",
    63,
    r"A-Za-z0-9_-",
    f"{_AWS}/ses/latest/APIReference/API_CreateReceiptRuleSet.html",
    alnum_edges=True,
    autonamed=False,
)
CLOUDFRONT_FUNCTION: Final = NameRule(
    "cloudfront-function", 64, r"A-Za-z0-9_-", f"{_AWS}/cloudfront/latest/APIReference/API_CreateFunction.html"
)
CLOUDFRONT_OAC: Final = NameRule(
    "cloudfront-oac",
    64,
    r"A-Za-z0-9_.-",
    f"{_AWS}/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html",
    autonamed=False,
)
SQS_QUEUE: Final = NameRule(
    "sqs-queue", 80, r"A-Za-z0-9_-", f"{_AWS}/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
)
CLOUDWATCH_ALARM: Final = NameRule(
    "cloudwatch-alarm", 255, r"A-Za-z0-9_.:/ -", f"{_AWS}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
)
SNS_TOPIC: Final = NameRule("sns-topic", 256, r"A-Za-z0-9_-", f"{_AWS}/sns/latest/api/API_CreateTopic.html")
LOG_GROUP: Final = NameRule(
    "log-group", 512, r"A-Za-z0-9_./#-", f"{_AWS}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
)
#: A Worker's name: letters, digits, ``_`` and ``-``, a letter or digit at both ends, at most 63
#: characters (it is a DNS label of ``workers.dev``); the API's schema wants lowercase.
WORKER_SCRIPT: Final = NameRule(
    "worker-script",
    63,
    r"a-z0-9_-",
    "https://developers.cloudflare.com/workers/tooling/api/scripts/#script-naming-conventions",
    lowercase=True,
    alnum_edges=True,
    autonamed=False,
)

#: Every rule, by kind.
NAME_RULES: Final[dict[str, NameRule]] = {
    rule.kind: rule
    for rule in (
        IAM_ROLE,
        IAM_POLICY,
        LAMBDA_FUNCTION,
        S3_BUCKET,
        SES_RECEIPT_RULE,
        SES_RULE_SET,
        CLOUDFRONT_FUNCTION,
        CLOUDFRONT_OAC,
        SQS_QUEUE,
        CLOUDWATCH_ALARM,
        SNS_TOPIC,
        LOG_GROUP,
        WORKER_SCRIPT,
    )
}

_SLUG_OUTSIDE = re.compile(r"[^A-Za-z0-9-]+")
_EDGE = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")


def slug(*parts: str) -> str:
    """``parts`` joined with ``-``, every run of characters other than ASCII letters, digits and
    ``-`` (dots, underscores, anything else) turned into one ``-``, without ``-`` at the ends:
    ``slug("mta-sts", "mail.example.com") == "mta-sts-mail-example-com"`` (today's names)."""
    return _SLUG_OUTSIDE.sub("-", "-".join(parts)).strip("-")


def _digest(text: str) -> str:
    """A stable short hash of ``text``: lowercase base32 letters and digits (fits every rule)."""
    raw = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b32encode(raw).decode("ascii").lower()[:HASH_LENGTH]


def _hashed(rule: NameRule, text: str, limit: int) -> str:
    """``text`` cut so that ``-`` + the hash of all of ``text`` fits in ``limit``."""
    head = _EDGE.sub("", text[: max(limit - HASH_LENGTH - 1, 0)])
    return f"{head}-{_digest(text)}" if head else _digest(text)


#: Put before a name that would start with a prefix the provider reserves (an IDN domain's
#: ``xn--`` label first in an S3 bucket name): only names that could never deploy change.
RESERVED_PREFIX_ESCAPE: Final = "x-"


def _fit(rule: NameRule, text: str, limit: int) -> str:
    text = text.lower() if rule.lowercase else text
    if text.startswith(rule.forbidden_prefixes):
        text = RESERVED_PREFIX_ESCAPE + text
    if len(text) <= limit and name_problem(rule, text, limit=limit) is None:
        return text
    return _hashed(rule, text, limit)


def physical_name(rule: NameRule, *parts: str) -> str:
    """The physical name for a resource of ``rule``'s kind, built from ``parts`` (e.g. a prefix
    and the domain): :func:`slug` of the parts when the provider takes it as it is, otherwise
    the slug cut to fit plus ``-`` and a hash of the whole slug (see the module docs)."""
    return _fit(rule, slug(*parts), rule.limit)


def autoname_base(rule: NameRule, *parts: str) -> str:
    """A logical name from ``parts`` that still fits ``rule`` after Pulumi's autonaming adds
    ``-`` and 7 random characters (for resources left to autonaming). A logical name that already
    fits is returned exactly as it is (a changed logical name would replace the resource); the
    check is on its lower-case form where the provider lower-cases autonames itself (pulumi-aws
    does for S3 buckets)."""
    limit = rule.limit - AUTONAME_SUFFIX_LENGTH
    text = "-".join(parts)
    checked = text.lower() if rule.lowercase else text
    if name_problem(rule, checked, limit=limit) is None:
        return text
    return _fit(rule, slug(*parts), limit)


def name_problem(rule: NameRule, name: str, *, limit: int | None = None) -> str | None:
    """Why the provider refuses ``name`` for ``rule``'s kind, or ``None`` if it takes it."""
    most = rule.limit if limit is None else limit
    if not name or len(name) > most:
        return f"must be 1 to {most} characters long"
    if re.fullmatch(f"[{rule.charset}]+", name) is None:
        return f"may only contain the characters [{rule.charset}]"
    if rule.alnum_edges and _EDGE.search(name):
        return "must start and end with a letter or a digit"
    if name.startswith(rule.forbidden_prefixes) or name.endswith(rule.forbidden_suffixes):
        return f"must not start with {rule.forbidden_prefixes} or end with {rule.forbidden_suffixes}"
    return None


#: ACM: a certificate's domain name (its common name, the first name requested) "cannot exceed 64
#: octets (characters), including periods"; the subject alternative names may be 253 (ACM API
#: Reference, RequestCertificate, ``DomainName``, citing RFC 5280's upper bound).
ACM_COMMON_NAME_LIMIT: Final = 64


def zone_apex_for(domain: str, zone: str | None) -> str | None:
    """``zone`` when it is ``domain`` or a parent of it (the zone the domain's records go in),
    else ``None``: only a zone that holds the domain's names can carry its certificate's first name."""
    if not zone:
        return None
    zone = zone.rstrip(".").lower()
    return zone if domain == zone or domain.endswith("." + zone) else None


def certificate_common_name(host: str, domain: str, zone: str | None = None) -> str | None:
    """The name a one-domain ACM certificate is requested for: the first of the policy host, the
    mail domain and the domain's zone apex (``zone``, when it holds the domain) that fits ACM's
    common name (:data:`ACM_COMMON_NAME_LIMIT`); the host is an alternative name (up to 253) when
    it is not the first. ``None``: none fits, ACM cannot issue a certificate for the host.

    The order keeps every name that fits today: a host or a domain that fits is still chosen first,
    so no existing certificate is replaced; the apex is tried only where nothing was accepted before."""
    names = (host, domain, zone_apex_for(domain, zone))
    return next((name for name in names if name is not None and len(name) <= ACM_COMMON_NAME_LIMIT), None)


def common_name_problem(
    domain: str, field_name: str = "domain", zone: str | None = None, zone_field: str = "dns.zone_name"
) -> Problem | None:
    """``domain`` when none of ``mta-sts.<domain>``, the domain and its zone apex (``zone``) fits
    ACM's common name: a one-domain CloudFront host cannot get its certificate (a Worker needs none)."""
    host = f"mta-sts.{domain}"
    if certificate_common_name(host, domain, zone) is not None:
        return None
    apex = zone_apex_for(domain, zone)
    if apex is None:
        apex_said = f"no zone apex holding the domain is known (give {zone_field}, at most {ACM_COMMON_NAME_LIMIT})"
    else:
        apex_said = f"the zone apex {apex!r} ({zone_field}) is {len(apex)}"
    reason = (
        f"is {len(domain)} characters long: an ACM certificate needs a first name of at most "
        f"{ACM_COMMON_NAME_LIMIT} characters; mta-sts.<domain> and the domain are longer and {apex_said}; "
        "serve the policy from a Cloudflare Worker (host.kind: worker, with Cloudflare DNS), which needs no "
        "ACM certificate"
    )
    return Problem(field_name, domain, reason)
