"""The MTA-STS policy rules, as pure functions over resource types and properties.

Resource rules take ``(type_, props)`` and return the violation messages for that one resource;
stack rules take every resource of the stack (:class:`Resource`) and return :class:`Violation`
values naming the resource. Each rule is listed once in :data:`RULES` with its level and what it
checks; ``policypack/`` wraps them as CrossGuard policies (docs/packaging.md). Every message says
what is wrong and the fix. Standard library and the core only: no Pulumi, no pulumi-policy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_mta_sts.core.hostnames import normalize_mx_pattern
from pulumi_mta_sts.core.policy import parse_policy, policy_id, policy_lines
from pulumi_mta_sts.core.records import STS_VERSION, parse_sts_records

from .shapes import POLICY_KEY, bucket_exposure, is_policy_host, policy_object, txt_record

__all__ = ["RULES", "Resource", "Rule", "Violation"]

Level = Literal["advisory", "mandatory"]
#: A day: the least ``max_age`` worth enforcing (RFC 8461 §3.2 advises weeks).
ONE_DAY = 86_400
#: CloudFront minimum protocol versions that allow TLS below 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1).
WEAK_TLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")
HTTP_SERVING = ("allow-all", "redirect-to-https")


@dataclass(frozen=True, eq=False)  # each resource is itself (its props are a mapping, not hashable)
class Resource:
    """One resource of the stack as a stack rule sees it."""

    type: str
    props: Mapping[str, Any]
    urn: str = ""
    name: str = ""


@dataclass(frozen=True)
class Violation:
    """A stack rule's finding: the message and the resource it is about."""

    message: str
    urn: str = ""


ResourceCheck = Callable[[str, Mapping[str, Any]], list[str]]
StackCheck = Callable[[Sequence[Resource]], list[Violation]]


@dataclass(frozen=True)
class Rule:
    """A rule of the pack: its name, what it checks, its level and its check."""

    name: str
    description: str
    level: Level
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None


# ---- resource rules ------------------------------------------------------------------------------
def policy_content_type(type_: str, props: Mapping[str, Any]) -> list[str]:
    """The policy file must be served as ``text/plain`` (RFC 8461 §3.3)."""
    found = policy_object(type_, props)
    if found is None or (found.content_type or "").split(";")[0].strip().lower() == "text/plain":
        return []
    shown = found.content_type or "no content type (S3 then serves binary/octet-stream)"
    return [
        f"the MTA-STS policy object {POLICY_KEY} has {shown}; RFC 8461 §3.3 requires text/plain and senders "
        'may refuse anything else: set contentType="text/plain"'
    ]


def cloudfront_http(type_: str, props: Mapping[str, Any]) -> list[str]:
    """The policy host should answer HTTPS only: no plain-HTTP answer, not even a redirect."""
    if not is_policy_host(type_, props):
        return []
    behaviors = [props.get("defaultCacheBehavior") or {}, *(props.get("orderedCacheBehaviors") or [])]
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
    """The policy host must not accept TLS below 1.2."""
    if not is_policy_host(type_, props):
        return []
    certificate = props.get("viewerCertificate") or {}
    version = certificate.get("minimumProtocolVersion")
    default_certificate = certificate.get("cloudfrontDefaultCertificate") is True
    if default_certificate or version in WEAK_TLS or not version:
        shown = (
            "TLSv1 (the default *.cloudfront.net certificate)" if default_certificate else version or "TLSv1 (unset)"
        )
        return [
            f"the MTA-STS policy host allows TLS below 1.2 (minimum {shown}); RFC 8996 retires TLS 1.0 and 1.1: use "
            'an ACM certificate for mta-sts.<domain> with minimumProtocolVersion="TLSv1.2_2021"'
        ]
    return []


def _served_policy(type_: str, props: Mapping[str, Any]) -> Any:
    found = policy_object(type_, props)
    return parse_policy(found.content) if found is not None and found.content is not None else None


def enforce_max_age(type_: str, props: Mapping[str, Any]) -> list[str]:
    """An ``enforce`` policy cached less than a day protects little between fetches."""
    parsed = _served_policy(type_, props)
    policy = parsed.policy if parsed is not None else None
    if policy is None or policy.mode != "enforce" or policy.max_age >= ONE_DAY:
        return []
    return [
        f"the MTA-STS policy enforces with max_age {policy.max_age}: senders forget it within a day, so an attacker "
        f"who blocks the fetch gets them back to unprotected delivery; set max_age to at least {ONE_DAY} "
        "(RFC 8461 §3.2 advises weeks, e.g. 604800 or more)"
    ]


def mx_patterns(type_: str, props: Mapping[str, Any]) -> list[str]:
    """Every ``mx`` of the policy file must be a host name or ``*.``-pattern senders can match."""
    found = policy_object(type_, props)
    if found is None or found.content is None:
        return []
    messages = []
    values = [line.split(":", 1)[1].strip() for line in policy_lines(found.content) if line.startswith("mx:")]
    for index, value in enumerate(values):
        messages += [
            f"the MTA-STS policy's {p}; fix the pattern" for p in normalize_mx_pattern(value, f"mx[{index}]")[1]
        ]
    if not messages:
        messages = [f"the MTA-STS policy file {e}" for e in parse_policy(found.content).errors]
    return messages


# ---- stack rules ---------------------------------------------------------------------------------
def _txt_by_name(resources: Sequence[Resource]) -> dict[tuple[str, str], list[tuple[Resource, str]]]:
    by_name: dict[tuple[str, str], list[tuple[Resource, str]]] = defaultdict(list)
    for resource in resources:
        record = txt_record(resource.type, resource.props)
        if record is not None:
            by_name[(record.zone, record.name)] += [(resource, value) for value in record.values]
    return by_name


def duplicate_sts_records(resources: Sequence[Resource]) -> list[Violation]:
    """At most one ``v=STSv1`` TXT record at a name (RFC 8461 §3.1: two mean no policy at all)."""
    violations = []
    for (_, name), entries in _txt_by_name(resources).items():
        candidates = parse_sts_records([value for _, value in entries]).candidates  # RFC 8461 §3.1's selection
        sts = [(resource, value) for resource, value in entries if value in candidates]
        if len(sts) > 1:
            message = (
                f"{name} has {len(sts)} TXT records starting with {STS_VERSION}; senders then ignore MTA-STS for the "
                "domain (RFC 8461 §3.1): keep exactly one (import or delete the others)"
            )
            violations += [Violation(message, resource.urn) for resource in dict.fromkeys(r for r, _ in sts)]
    return violations


def sts_id_matches_policy(resources: Sequence[Resource]) -> list[Violation]:
    """With the policy object in the stack, the ``_mta-sts`` id must be the id of the policy it serves."""
    served = {
        policy_id(found.content): resource
        for resource in resources
        if (found := policy_object(resource.type, resource.props)) is not None and found.content is not None
    }
    if not served:
        return []
    violations = []
    for (_, name), entries in _txt_by_name(resources).items():
        if not name.startswith("_mta-sts."):
            continue
        for resource, value in entries:
            record = parse_sts_records([value]).record
            record_id = record.id if record is not None else None
            if record_id is not None and record_id not in served:
                expected = " or ".join(sorted(served))
                message = (
                    f"{name} publishes id={record_id}, which is not derived from the policy this stack serves, so it "
                    f"need not change when the policy does and senders keep a stale policy: publish id={expected} "
                    "(the id of the served bytes, as mta-sts render prints it)"
                )
                violations.append(Violation(message, resource.urn))
    return violations


def public_policy_bucket(resources: Sequence[Resource]) -> list[Violation]:
    """The bucket holding the policy stays private (CloudFront reads it through origin access control)."""
    buckets = {found.bucket for r in resources if (found := policy_object(r.type, r.props)) is not None}
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


#: Every rule of the pack, in the order the pack lists them.
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
