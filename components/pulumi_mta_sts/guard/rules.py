"""The MTA-STS policy rules, as pure functions: a resource rule takes ``(type_, props)`` and returns
messages, a stack rule takes every :class:`Resource` and returns :class:`Violation` values. A value
unknown at preview never raises: a rule reports only what holds whatever it turns out to be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_mta_sts.core.acceptance import is_accepted_media_type
from pulumi_mta_sts.core.hostnames import normalize_mx_pattern
from pulumi_mta_sts.core.policy import parse_policy, policy_id, policy_lines
from pulumi_mta_sts.core.records import STS_VERSION, parse_sts_records

from .shapes import POLICY_KEY, UNKNOWN, bucket_exposure, is_policy_host, items, mapping, policy_object, txt_record

Level = Literal["advisory", "mandatory"]
#: A day: the least ``max_age`` worth enforcing (RFC 8461 §3.2 advises weeks).
ONE_DAY = 86_400
#: CloudFront minimum protocol versions that allow TLS below 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1).
WEAK_TLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")
HTTP_SERVING = ("allow-all", "redirect-to-https")


@dataclass(frozen=True, eq=False)  # each resource is itself (its props are a mapping, not hashable)
class Resource:
    type: str
    props: Mapping[str, Any]
    urn: str = ""
    name: str = ""


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str = ""


ResourceCheck = Callable[[str, Mapping[str, Any]], list[str]]
StackCheck = Callable[[Sequence[Resource]], list[Violation]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    level: Level
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None


def policy_content_type(type_: str, props: Mapping[str, Any]) -> list[str]:
    found = policy_object(type_, props)
    if found is None or found.content_type is UNKNOWN or is_accepted_media_type(found.content_type):
        return []
    shown = found.content_type or "no content type (S3 then serves binary/octet-stream)"
    return [
        f"the MTA-STS policy object {POLICY_KEY} has {shown}; RFC 8461 §3.3 requires text/plain and senders "
        'may refuse anything else: set contentType="text/plain"'
    ]


def cloudfront_http(type_: str, props: Mapping[str, Any]) -> list[str]:
    if not is_policy_host(type_, props):
        return []
    behaviors = [mapping(b) for b in [props.get("defaultCacheBehavior"), *items(props.get("orderedCacheBehaviors"))]]
    found = sorted(
        {str(b.get("viewerProtocolPolicy")) for b in behaviors if b.get("viewerProtocolPolicy") in HTTP_SERVING}
    )
    if not found:
        return []
    return [
        f"the MTA-STS policy host answers plain HTTP (viewerProtocolPolicy {', '.join(found)}); senders fetch the "
        "policy over HTTPS only (RFC 8461 §3.3) and never follow redirects: set viewerProtocolPolicy to https-only"
    ]


def cloudfront_tls(type_: str, props: Mapping[str, Any]) -> list[str]:
    if not is_policy_host(type_, props) or props.get("viewerCertificate") is UNKNOWN:
        return []
    certificate = mapping(props.get("viewerCertificate"))
    version = certificate.get("minimumProtocolVersion")
    default_certificate = certificate.get("cloudfrontDefaultCertificate") is True
    if default_certificate or version in WEAK_TLS or (not version and version is not UNKNOWN):
        shown = (
            "TLSv1 (the default *.cloudfront.net certificate)" if default_certificate else version or "TLSv1 (unset)"
        )
        return [
            f"the MTA-STS policy host allows TLS below 1.2 (minimum {shown}); RFC 8996 retires TLS 1.0 and 1.1: use "
            'an ACM certificate for mta-sts.<domain> with minimumProtocolVersion="TLSv1.2_2021"'
        ]
    return []


def enforce_max_age(type_: str, props: Mapping[str, Any]) -> list[str]:
    found = policy_object(type_, props)
    policy = parse_policy(found.content).policy if found is not None and isinstance(found.content, str) else None
    if policy is None or policy.mode != "enforce" or policy.max_age >= ONE_DAY:
        return []
    return [
        f"the MTA-STS policy enforces with max_age {policy.max_age}: senders forget it within a day, so an attacker "
        f"who blocks the fetch gets them back to unprotected delivery; set max_age to at least {ONE_DAY} "
        "(RFC 8461 §3.2 advises weeks, e.g. 604800 or more)"
    ]


def mx_patterns(type_: str, props: Mapping[str, Any]) -> list[str]:
    found = policy_object(type_, props)
    if found is None or not isinstance(found.content, str):
        return []
    values = [line.split(":", 1)[1].strip() for line in policy_lines(found.content) if line.startswith("mx:")]
    messages = [
        f"the MTA-STS policy's {p}; fix the pattern"
        for index, value in enumerate(values)
        for p in normalize_mx_pattern(value, f"mx[{index}]")[1]
    ]
    return messages or [f"the MTA-STS policy file {e}" for e in parse_policy(found.content).errors]


@dataclass
class _TxtName:
    entries: list[tuple[Resource, str]] = field(default_factory=list)
    complete: bool = True

    def candidates(self) -> list[tuple[Resource, str]]:
        kept = parse_sts_records([value for _, value in self.entries]).candidates
        return [(resource, value) for resource, value in self.entries if value in kept]


def _txt_by_name(resources: Sequence[Resource]) -> dict[tuple[str, str], _TxtName]:
    by_name: dict[tuple[str, str], _TxtName] = defaultdict(_TxtName)
    for resource in resources:
        record = txt_record(resource.type, resource.props)
        if record is not None and record.zone is not None and record.name is not None:
            found = by_name[(record.zone, record.name)]
            found.entries += [(resource, value) for value in record.values]
            found.complete = found.complete and record.complete
    return by_name


def duplicate_sts_records(resources: Sequence[Resource]) -> list[Violation]:
    """Unknown values can only add records, so the known ones tell."""
    violations = []
    for (_, name), found in _txt_by_name(resources).items():
        sts = found.candidates()
        if len(sts) > 1:
            message = (
                f"{name} has {len(sts)} TXT records starting with {STS_VERSION}; senders then ignore MTA-STS for the "
                "domain (RFC 8461 §3.1): keep exactly one (import or delete the others)"
            )
            violations += [Violation(message, resource.urn) for resource in dict.fromkeys(r for r, _ in sts)]
    return violations


def sts_id_matches_policy(resources: Sequence[Resource]) -> list[Violation]:
    """Not told while a policy's content or a value at the name is unknown."""
    objects = [found for r in resources if (found := policy_object(r.type, r.props)) is not None]
    served = {policy_id(found.content) for found in objects if isinstance(found.content, str)}
    if not served or any(found.content is UNKNOWN for found in objects):
        return []
    violations = []
    for (_, name), at_name in _txt_by_name(resources).items():
        if not name.startswith("_mta-sts.") or not at_name.complete:
            continue
        for resource, value in at_name.candidates():
            record = parse_sts_records([value]).record
            if record is not None and record.id not in served:
                message = (
                    f"{name} publishes id={record.id}, which is not derived from the policy this stack serves, so it "
                    f"need not change when the policy does and senders keep a stale policy: publish "
                    f"id={' or '.join(sorted(served))} (the id of the served bytes, as mta-sts render prints it)"
                )
                violations.append(Violation(message, resource.urn))
    return violations


def public_policy_bucket(resources: Sequence[Resource]) -> list[Violation]:
    buckets = {found.bucket for r in resources if (found := policy_object(r.type, r.props)) is not None}
    buckets.discard(None)  # an unknown bucket name matches no other
    violations = []
    for resource in resources:
        exposure = bucket_exposure(resource.type, resource.props)
        if exposure is not None and exposure[0] in buckets:
            message = (
                f"the bucket {exposure[0]} holds the MTA-STS policy and is public: {exposure[1]}; keep it private "
                "(all four public access block flags true, no public ACL, bucket policy for CloudFront's origin "
                "access control only): the policy is served by CloudFront"
            )
            violations.append(Violation(message, resource.urn))
    return violations


RULES: tuple[Rule, ...] = (
    Rule("mta-sts-single-sts-record", "One v=STSv1 TXT record per name", "mandatory",
         stack_check=duplicate_sts_records),
    Rule("mta-sts-id-from-policy", "The _mta-sts id is derived from the served policy", "advisory",
         stack_check=sts_id_matches_policy),
    Rule("mta-sts-policy-text-plain", "The policy file is served as text/plain", "mandatory", policy_content_type),
    Rule("mta-sts-host-https-only", "The CloudFront policy host answers HTTPS only", "advisory", cloudfront_http),
    Rule("mta-sts-host-tls12", "The CloudFront policy host refuses TLS below 1.2", "mandatory", cloudfront_tls),
    Rule("mta-sts-private-policy-bucket", "The policy's bucket is not public", "mandatory",
         stack_check=public_policy_bucket),
    Rule("mta-sts-enforce-max-age", "An enforce policy is cached for a day or more", "advisory", enforce_max_age),
    Rule("mta-sts-mx-patterns", "Every mx pattern of the policy parses", "mandatory", mx_patterns),
)  # fmt: skip
