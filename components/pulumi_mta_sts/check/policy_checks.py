"""Verdicts on a fetched policy: the fetch itself (check 2), its content (check 3) and whether
the published id was derived from the served body (check 4). Pure functions of their inputs."""

from __future__ import annotations

from pulumi_mta_sts.core import Policy, PolicyParse, Problem, is_toolkit_id, policy_id
from pulumi_mta_sts.core.acceptance import Refused
from pulumi_mta_sts.core.policy import EMPTY_LINES_AT_END, read_policy_text
from pulumi_mta_sts.core.records import StsRecord
from pulumi_mta_sts.net.https_fetch import FetchResult

from .model import CheckResult, failed, passed, skipped, warned

ONE_DAY = 86_400


def check_policy_fetch(fetch: FetchResult) -> CheckResult:
    """Check 2: would a sender accept this fetch (the deploy gate's rules too)."""
    cid = "policy-fetch"
    verdict = fetch.verdict
    if isinstance(verdict, Refused):
        where = f"{fetch.url} ({fetch.address}):" if fetch.status is None else fetch.url
        return failed(cid, f"{where} {verdict.reason}", verdict.fix)
    cert = fetch.certificate
    cert_text = f", certificate from {cert.issuer} until {cert.not_after:%Y-%m-%d}" if cert else ""
    return passed(
        cid,
        f"{fetch.url}: 200 text/plain, {len(fetch.body)} bytes, {fetch.tls_version}{cert_text}, "
        f"{fetch.elapsed * 1000:.0f} ms",
    )


def check_policy_content(body: bytes) -> tuple[CheckResult, Policy | None]:
    """Check 3: an RFC 8461 §3.2 violation (some sender refuses the body) fails, advice warns; and the
    policy RFC-following senders apply (``None``: none)."""
    cid = "policy-content"
    parsed, errors, advice = read_policy_text(body)  # one read of the body (issue 25)
    if errors:
        text = "; ".join(str(p) for p in errors[:4]) + (f" (+{len(errors) - 4} more)" if len(errors) > 4 else "")
        return failed(cid, f"invalid policy: {text}", _violation_hint(errors)), parsed.policy
    policy = parsed.policy
    if policy is None:  # pragma: no cover - strict validation reports everything parse_policy does
        return failed(cid, "no usable policy", "serve a valid policy"), None
    summary = f"mode {policy.mode}, max_age {policy.max_age}, mx {', '.join(policy.mx) or '(none)'}"
    notes, hints = _operational_notes(policy, parsed)
    notes += [str(a) for a in advice]
    if len(hints) < len(notes):
        hints.append("senders accept the policy as it is; serve one rendered by 'mta-sts render' to be safe")
    if notes:
        return warned(cid, f"{summary}; " + "; ".join(notes), "; ".join(hints)), policy
    return passed(cid, summary), policy


def _violation_hint(errors: list[Problem]) -> str:
    """What to do about violations; where strict and lenient senders differ, what each does."""
    fixes = []
    if any(p.field.startswith("mx[") and "Strict senders refuse" in p.reason for p in errors):
        fixes.append(
            "write mx values as A-labels without a trailing dot: strict senders ignore this policy, "
            "lenient ones apply it but may match no MX host"
        )
    if any(EMPTY_LINES_AT_END in p.reason for p in errors):
        fixes.append(
            "remove the empty lines at the end of the body: strict senders (Mimecast's with CRLF required) "
            "ignore this policy, lenient ones skip the empty lines and apply it"
        )
    return "; ".join([*fixes, "serve a policy rendered by 'mta-sts render' (RFC 8461 §3.2)"])


def _operational_notes(policy: Policy, parsed: PolicyParse) -> tuple[list[str], list[str]]:
    """Advice about a valid policy's values: short max_age, unknown keys."""
    notes: list[str] = []
    hints: list[str] = []
    if policy.mode == "enforce" and policy.max_age < ONE_DAY:
        notes.append(f"max_age {policy.max_age} is under one day in enforce")
        hints.append("use a max_age of at least 604800 (a week) in enforce")
    if policy.mode == "testing" and policy.max_age <= ONE_DAY:
        notes.append(f"max_age {policy.max_age} is one day or less in testing: some senders then send no reports")
        hints.append("use max_age 86401 or more in testing")
    if parsed.unknown_keys:
        notes.append(f"unknown keys {', '.join(parsed.unknown_keys)} (ignored by senders)")
        hints.append("remove keys that are not version, mode, mx, max_age unless you rely on an extension")
    return notes, hints


def check_policy_id(record: StsRecord | None, body: bytes | None) -> CheckResult:
    """Check 4: an id of this toolkit's form must be the served body's hash, else senders cache the
    wrong policy under it."""
    cid = "policy-id"
    if record is None:
        return skipped(cid, "no valid MTA-STS record to compare")
    if body is None:
        return skipped(cid, "no policy body fetched")
    if not is_toolkit_id(record.id):
        return skipped(cid, f"id {record.id} is not a pulumi-mta-sts id (32 of a-z, 2-7); cannot compare")
    served = policy_id(body)
    if served != record.id:
        return warned(
            cid,
            f"published id {record.id} was not derived from the served body (its id is {served})",
            "serve the new policy body first, then publish its id; re-run 'pulumi up' after the body is live",
        )
    return passed(cid, f"id {record.id} matches the served body")
