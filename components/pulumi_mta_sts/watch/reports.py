"""Problems read from the receiver's stored reports instead of probing port 25 (which AWS Lambda and
GitHub-hosted runners block): senders' own failures of the last day with an MX host's certificate or
STARTTLS. Pure: the scheduled watcher hands it the reports it read, the CLI those of ``--reports``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from .model import FAIL, WARN, Severity, WatchProblem

#: The report results that say an MX host's TLS is broken, and the fix of each.
WATCHED_RESULTS: Final = {
    "certificate-expired": "renew the certificate of {mx} and install it with its full chain",
    "certificate-host-mismatch": "install a certificate on {mx} that is valid for the name {mx}",
    "starttls-not-supported": "enable STARTTLS on {mx} with a certificate for its name",
}
#: How far back ``watch`` reads: a report is of the last day when its period ends within it.
REPORT_WINDOW: Final = dt.timedelta(days=1)


def _moment(value: object) -> dt.datetime | None:
    """A stored report's ``end``/``start`` (``2026-12-07T00:00:00Z``); ``None`` when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _recent(report: Mapping[str, Any], now: dt.datetime) -> bool:
    end = _moment(report.get("end")) or _moment(report.get("start"))
    return end is not None and now - REPORT_WINDOW <= end <= now + REPORT_WINDOW


def _enforced(policy: Mapping[str, Any]) -> bool:
    strings = policy.get("policy_strings")
    lines = strings if isinstance(strings, list) else []
    return policy.get("policy_type") == "sts" and any(
        isinstance(line, str) and line.replace(" ", "").lower() == "mode:enforce" for line in lines
    )


def _items(value: object) -> list[Mapping[str, Any]]:
    """The objects of a list in a report (anything else: none), whatever a caller hands in."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


Key = tuple[str, str, str]  # domain, result type, MX host


def _tally(reports: Iterable[Mapping[str, Any]], now: dt.datetime) -> dict[Key, tuple[int, set[str], bool]]:
    """Failed sessions per domain, result and MX host; who reported them; whether under ``enforce``."""
    tally: dict[Key, tuple[int, set[str], bool]] = {}
    for report in reports:
        if not isinstance(report, Mapping) or not _recent(report, now):
            continue
        organisation = str(report.get("organization_name") or "a sender")
        for policy in _items(report.get("policies")):
            domain = policy.get("policy_domain")
            if not isinstance(domain, str):
                continue
            for detail in _items(policy.get("failure_details")):
                result = detail.get("result_type")
                if result not in WATCHED_RESULTS:
                    continue
                mx = detail.get("receiving_mx_hostname") or detail.get("receiving_ip") or "an unnamed MX host"
                key = (domain.rstrip(".").lower(), str(result), str(mx).rstrip(".").lower()[:253])  # a host name's most
                count, who, enforced = tally.get(key, (0, set(), False))
                sessions = detail.get("failed_session_count")
                count += sessions if isinstance(sessions, int) and not isinstance(sessions, bool) else 0
                tally[key] = (count, who | {organisation}, enforced or _enforced(policy))
    return tally


def problems_from_reports(reports: Iterable[Mapping[str, Any]], now: dt.datetime) -> dict[str, list[WatchProblem]]:
    """Per domain, one problem per MX host and watched result in the stored (normalised) reports whose
    period ended in the last day: a failure when a sender applied ``mode: enforce`` (mail was refused),
    else a warning. Codes ``report-<result>:<mx host>``."""
    found: dict[str, list[WatchProblem]] = {}
    for (domain, result, mx), (count, who, enforced) in sorted(_tally(reports, now).items()):
        severity: Severity = FAIL if enforced else WARN
        senders = ", ".join(sorted(who)[:5]) + (" and others" if len(who) > 5 else "")
        message = f"senders' TLS reports of the last day: {count} sessions to {mx} failed with {result} ({senders})"
        problem = WatchProblem(f"report-{result}:{mx}", severity, message, WATCHED_RESULTS[result].format(mx=mx))
        found.setdefault(domain, []).append(problem)
    return found
