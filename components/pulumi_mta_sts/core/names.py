"""Physical names that fit every provider's limit (docs/deploying.md, "Names that fit every domain"):
the readable slug when it fits (no existing name changes), else cut plus ``-`` and a hash of it all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from .errors import Problem
from .policy import policy_id

#: Pulumi's autonaming appends ``-`` and 7 random characters (docs/iac/concepts/resources/names).
AUTONAME_SUFFIX_LENGTH: Final = 8
#: Characters of the hash added to a cut name: 40 bits.
HASH_LENGTH: Final = 8


@dataclass(frozen=True)
class NameRule:
    """What a provider accepts as a physical name, as ``source`` documents (``charset``: a regex class)."""

    kind: str
    limit: int
    charset: str
    source: str
    lowercase: bool = False
    alnum_edges: bool = False
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()

    def accepts(self, name: str) -> bool:
        return name_problem(self, name) is None


def _rule(kind: str, limit: int, charset: str, source: str, **options: Any) -> NameRule:
    url = source if source.startswith("https://") else f"https://docs.aws.amazon.com/{source}"
    return NameRule(kind, limit, charset, url, **options)


_API = "latest/APIReference/API_"
IAM_ROLE: Final = _rule("iam-role", 64, r"A-Za-z0-9+=,.@_-", f"IAM/{_API}CreateRole.html")
IAM_POLICY: Final = _rule("iam-policy", 128, r"A-Za-z0-9+=,.@_-", f"IAM/{_API}PutRolePolicy.html")
LAMBDA_FUNCTION: Final = _rule("lambda-function", 64, r"A-Za-z0-9_-", "lambda/latest/api/API_CreateFunction.html")
S3_BUCKET: Final = _rule(
    "s3-bucket",
    63,
    r"a-z0-9.-",
    "AmazonS3/latest/userguide/bucketnamingrules.html",
    lowercase=True,
    alnum_edges=True,
    forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
)
#: SES: older API pages say "less than 64 characters", newer ones "64 characters or fewer": 63 fits both.
SES_RECEIPT_RULE: Final = _rule(
    "ses-receipt-rule", 63, r"A-Za-z0-9_.-", f"ses/{_API}ReceiptRule.html", alnum_edges=True
)
SES_RULE_SET: Final = _rule(
    "ses-rule-set", 63, r"A-Za-z0-9_-", f"ses/{_API}CreateReceiptRuleSet.html", alnum_edges=True
)
CLOUDFRONT_FUNCTION: Final = _rule("cloudfront-function", 64, r"A-Za-z0-9_-", f"cloudfront/{_API}CreateFunction.html")
CLOUDFRONT_OAC: Final = _rule("cloudfront-oac", 64, r"A-Za-z0-9_.-", f"cloudfront/{_API}OriginAccessControlConfig.html")
SQS_QUEUE: Final = _rule("sqs-queue", 80, r"A-Za-z0-9_-", f"AWSSimpleQueueService/{_API}CreateQueue.html")
CLOUDWATCH_ALARM: Final = _rule(
    "cloudwatch-alarm", 255, r"A-Za-z0-9_.:/ -", f"AmazonCloudWatch/{_API}PutMetricAlarm.html"
)
SNS_TOPIC: Final = _rule("sns-topic", 256, r"A-Za-z0-9_-", "sns/latest/api/API_CreateTopic.html")
LOG_GROUP: Final = _rule("log-group", 512, r"A-Za-z0-9_./#-", f"AmazonCloudWatchLogs/{_API}CreateLogGroup.html")
#: A Worker's name is a DNS label of ``workers.dev``; the API's schema wants lowercase.
WORKER_SCRIPT: Final = _rule(
    "worker-script",
    63,
    r"a-z0-9_-",
    "https://developers.cloudflare.com/workers/tooling/api/scripts/#script-naming-conventions",
    lowercase=True,
    alnum_edges=True,
)

_SLUG_OUTSIDE = re.compile(r"[^A-Za-z0-9-]+")
_EDGE = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")


def slug(*parts: str) -> str:
    """``slug("mta-sts", "mail.example.com") == "mta-sts-mail-example-com"``."""
    return _SLUG_OUTSIDE.sub("-", "-".join(parts)).strip("-")


#: Put before a name starting with a reserved prefix (``xn--``): only names that could never deploy change.
RESERVED_PREFIX_ESCAPE: Final = "x-"


def _fit(rule: NameRule, text: str, limit: int) -> str:
    text = text.lower() if rule.lowercase else text
    if text.startswith(rule.forbidden_prefixes):
        text = RESERVED_PREFIX_ESCAPE + text
    if len(text) <= limit and name_problem(rule, text, limit=limit) is None:
        return text
    digest = policy_id(text)[:HASH_LENGTH]  # a policy id's base32 SHA-256: letters and digits every rule takes
    head = _EDGE.sub("", text[: max(limit - HASH_LENGTH - 1, 0)])
    return f"{head}-{digest}" if head else digest


def physical_name(rule: NameRule, *parts: str) -> str:
    """The physical name of ``rule``'s kind from ``parts`` (module docs)."""
    return _fit(rule, slug(*parts), rule.limit)


def autoname_base(rule: NameRule, *parts: str) -> str:
    """A logical name that still fits ``rule`` once Pulumi's autonaming adds 8 characters; one that
    fits stays as it is (a changed logical name would replace the resource)."""
    limit = rule.limit - AUTONAME_SUFFIX_LENGTH
    text = "-".join(parts)
    checked = text.lower() if rule.lowercase else text
    return text if name_problem(rule, checked, limit=limit) is None else _fit(rule, slug(*parts), limit)


def name_problem(rule: NameRule, name: str, *, limit: int | None = None) -> str | None:
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


#: ACM: a certificate's domain name (its first name) "cannot exceed 64 octets (characters), including
#: periods"; the alternative names may be 253 (ACM API Reference, RequestCertificate, after RFC 5280).
ACM_COMMON_NAME_LIMIT: Final = 64


def zone_apex_for(domain: str, zone: str | None) -> str | None:
    """``zone`` when it is ``domain`` or a parent of it, else ``None``."""
    if not zone:
        return None
    zone = zone.rstrip(".").lower()
    return zone if domain == zone or domain.endswith("." + zone) else None


def certificate_common_name(host: str, domain: str, zone: str | None = None) -> str | None:
    """The first of the policy host, the domain and its zone apex that fits an ACM certificate's first
    name (in that order a name that fitted before is still chosen: no certificate is replaced)."""
    names = (host, domain, zone_apex_for(domain, zone))
    return next((name for name in names if name is not None and len(name) <= ACM_COMMON_NAME_LIMIT), None)


def common_name_problem(
    domain: str, field_name: str = "domain", zone: str | None = None, zone_field: str = "dns.zone_name"
) -> Problem | None:
    """``domain`` when a one-domain CloudFront host can get no certificate (a Worker needs none)."""
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
