"""One domain's problems, from ``check``'s results (the same run a sender's view gets) and what the stack
declares: pure, so every case is a test with a simulated clock. Codes are stable (docs/watch.md lists
them); the check's own detail and hint are the message and the fix where the check said it already."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from pulumi_mta_sts.check.model import DomainReport, Status
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.core.policy import Policy, parse_policy
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.net.tlsinfo import CertInfo

from .model import FAIL, WARN, Expectation, Severity, WatchProblem

#: Days before a certificate's end at which ``watch`` speaks, loudest last (7 days left is a failure).
EXPIRY_THRESHOLDS: Final = (30, 14, 7)
#: A failed ``check`` row and the problem it is; ``None`` severity: fail in ``enforce``, else warn.
ROW_CODES: Final[dict[str, tuple[str, Severity | None]]] = {
    "checker": ("checker-error", FAIL),
    "sts-record": ("sts-record-invalid", FAIL),
    "policy-fetch": ("policy-unavailable", FAIL),
    "policy-content": ("policy-refused", FAIL),
    "policy-host-ip": ("policy-host-unreachable", FAIL),
    "tlsrpt-record": ("tlsrpt-record-invalid", WARN),
}


def _by_mode(policy: Policy | None) -> Severity:
    """Mail is refused only under ``enforce``: there a failure; in ``testing`` a warning."""
    return FAIL if policy is not None and policy.mode == "enforce" else WARN


def row_problems(report: DomainReport) -> list[WatchProblem]:
    """The failed rows ``watch`` reports as they are: records, the policy host, STARTTLS and DANE per MX."""
    policy = report.facts.policy if report.facts else None
    found: list[WatchProblem] = []
    for row in report.checks:
        if row.status is not Status.FAIL:
            continue
        if row.id.startswith("starttls:"):
            found.append(WatchProblem(f"mx-starttls:{row.id[9:]}", _by_mode(policy), row.detail, row.hint))
        elif row.id.startswith("dane:"):  # DANE senders refuse it whatever the policy's mode (RFC 8461 §2)
            found.append(WatchProblem(f"dane-mismatch:{row.id[5:]}", FAIL, row.detail, row.hint))
        elif row.id in ROW_CODES:
            code, severity = ROW_CODES[row.id]
            found.append(WatchProblem(code, severity or _by_mode(policy), row.detail, row.hint))
    return found


def coverage_problems(report: DomainReport) -> list[WatchProblem]:
    """Each live MX host the published policy does not cover (``mode: none`` covers nothing and needs nothing)."""
    facts = report.facts
    if facts is None or facts.policy is None or facts.policy.mode == "none" or facts.mail.null_mx:
        return []
    severity = _by_mode(facts.policy)
    patterns = ", ".join(facts.policy.mx) or "none"
    effect = "senders refuse to deliver to it" if severity == FAIL else "it would lose mail once the mode is enforce"
    return [
        WatchProblem(
            f"mx-not-covered:{host}",
            severity,
            f"MX host {host} is not covered by the published policy (mx: {patterns}): {effect}",
            f"add an mx pattern that matches {host} to the stack's policy and deploy it, or restore the MX records",
        )
        for host in uncovered(facts.mail.hosts, facts.policy.mx)
    ]


def _expiry(host: str, cert: CertInfo, now: dt.datetime) -> WatchProblem | None:
    days = cert.days_left(now)
    crossed = [limit for limit in EXPIRY_THRESHOLDS if days < limit]
    if not crossed:
        return None
    limit = crossed[-1]
    severity: Severity = FAIL if limit == EXPIRY_THRESHOLDS[-1] else WARN
    when = f"in {days:.1f} days (under the {limit}-day threshold)" if days >= 0 else "(it has expired)"
    message = f"the certificate of {host} ({cert.issuer}) expires {cert.not_after:%Y-%m-%d %H:%M} UTC, {when}"
    fix = f"renew the certificate of {host} and install it with its full chain before {cert.not_after:%Y-%m-%d}"
    return WatchProblem(f"certificate-expiring:{host}", severity, message, fix, EXPIRY_THRESHOLDS.index(limit) + 1)


def expiry_problems(report: DomainReport, now: dt.datetime) -> list[WatchProblem]:
    """The policy host's and each MX host's (STARTTLS) verified certificate near its end."""
    certificates: list[tuple[str, CertInfo | None]] = [
        (policy_host(report.domain), report.facts.policy_certificate if report.facts else None),
        *((row.id[9:], row.certificate) for row in report.checks if row.id.startswith("starttls:")),
    ]
    return [p for host, cert in certificates if cert is not None and (p := _expiry(host, cert, now)) is not None]


def drift_problems(report: DomainReport, expected: Expectation) -> list[WatchProblem]:
    """What senders get that the stack does not declare: the policy, its id, the ``_smtp._tls`` rua.
    Only compared where senders got a usable value (an unusable one is a row problem already)."""
    facts, domain = report.facts, report.domain
    if facts is None:
        return []
    found: list[WatchProblem] = []
    declared = parse_policy(expected.policy).policy
    deploy = "run 'pulumi up' for the stack (or put the live value in the stack file if it is the one you want)"
    if facts.policy is not None and declared is not None and facts.policy != declared:
        served = facts.policy.render().replace("\r\n", "; ").rstrip("; ")
        message = f"the served policy ({served}) differs from the stack's ({_oneline(expected.policy)})"
        found.append(WatchProblem("policy-differs", FAIL, message, deploy))
    if facts.sts_record is not None and facts.sts_record.id != expected.id:
        message = (
            f"{sts_record_name(domain)} publishes id {facts.sts_record.id}; the stack's policy has id {expected.id}"
        )
        found.append(WatchProblem("policy-id-differs", FAIL, message, deploy))
    found.extend(_rua_drift(report, expected, deploy))
    return found


def _oneline(policy_text: str) -> str:
    return "; ".join(line for line in policy_text.splitlines() if line)


def _rua_drift(report: DomainReport, expected: Expectation, deploy: str) -> list[WatchProblem]:
    """No usable record is the ``tlsrpt-record`` row's problem; a usable one must send where the stack says."""
    assert report.facts is not None
    live = report.facts.tlsrpt_record
    if live is None:
        return []
    declared = list(expected.tlsrpt_rua or ())
    extra = [uri for uri in live.rua if uri not in declared]
    endpoint = next((uri for uri in extra if uri.startswith("https:")), None)
    if expected.rua_after_deploy and endpoint is not None:
        extra.remove(endpoint)  # the receiver's HTTPS endpoint: known only once deployed
    missing = [uri for uri in declared if uri not in live.rua]
    if not missing and not extra:
        return []
    wanted = ", ".join(declared) if declared else "no _smtp._tls record"
    message = f"{tlsrpt_record_name(report.domain)} sends reports to {', '.join(live.rua)}; the stack declares {wanted}"
    return [WatchProblem("tlsrpt-record-differs", WARN, message, deploy)]


def testing_problem(
    report: DomainReport, since: dt.datetime | None, now: dt.datetime, reminder_days: int
) -> WatchProblem | None:
    """A reminder when the published policy has been in ``testing`` for ``reminder_days`` or more."""
    if since is None or now - since < dt.timedelta(days=reminder_days):
        return None
    days = (now - since).days
    message = (
        f"the published policy of {report.domain} has been in mode testing for {days} days (since {since:%Y-%m-%d})"
    )
    fix = (
        "read the TLS-RPT reports ('mta-sts reports ready'); when senders deliver over TLS to every MX, "
        "set mta-sts:policy.mode to enforce and deploy"
    )
    return WatchProblem("testing-too-long", WARN, message, fix)


def domain_problems(
    report: DomainReport, expected: Expectation | None, now: dt.datetime, extra: Sequence[WatchProblem] = ()
) -> list[WatchProblem]:
    """Every problem of one domain this round, each code once (the first said wins)."""
    found = [*row_problems(report), *coverage_problems(report), *expiry_problems(report, now)]
    if expected is not None:
        found += drift_problems(report, expected)
    found += extra
    unique: dict[str, WatchProblem] = {}
    for problem in found:
        unique.setdefault(problem.code, problem)
    return list(unique.values())
