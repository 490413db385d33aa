"""A generated TLS-RPT corpus for the summary and readiness tests (built in code, no files kept).

Two weeks (2024-03-01 .. 2024-03-14) of daily reports for ``example.com`` (and a few for
``example.org``) from four organisations, with a policy change mid-period: until 2024-03-07 the
policy is ``mode: testing`` with ``mx: mx1.example.com``; from 2024-03-08 it adds
``mx: mx2.example.com``, but Mail.ru keeps the old policy until 2024-03-10 (senders cache it for
``max_age``). Failures: Google sees ``certificate-expired`` at mx2 on 03-08..03-09 (the new MX's
certificate had expired), Microsoft sees ``starttls-not-supported`` at mx2 on 03-09 (with a
receiving IP), Mail.ru counts one failure without detail on 03-04, and reports
``sts-policy-fetch-error`` as ``no-policy-found`` on 03-02. Comcast reports only from 03-11 on
and leaves ``mx-host`` out (MX hosts then come from the policy string). Yahoo reports
``example.org`` only. From 03-10 on nobody sees a failure.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pulumi_mta_sts.reports.parse import parse_body
from pulumi_mta_sts.reports.summary import Summary

FIRST_DAY = date(2024, 3, 1)
DAYS = 14
CHANGE_DAY = date(2024, 3, 8)
OLD_POLICY = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "max_age: 604800"]
NEW_POLICY = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "mx: mx2.example.com", "max_age: 604800"]
ORG_POLICY = ["version: STSv1", "mode: enforce", "mx: mail.example.org", "max_age: 86400"]


def _policy(
    domain: str,
    strings: list[str] | None,
    successful: int,
    details: list[dict[str, Any]],
    *,
    mx_host: bool = True,
    failed: int | None = None,
) -> dict[str, Any]:
    policy: dict[str, Any] = {"policy-type": "sts" if strings else "no-policy-found", "policy-domain": domain}
    if strings:
        policy["policy-string"] = strings
        if mx_host:
            policy["mx-host"] = [line[4:] for line in strings if line.startswith("mx: ")]
    entry: dict[str, Any] = {
        "policy": policy,
        "summary": {
            "total-successful-session-count": successful,
            "total-failure-session-count": sum(d["failed-session-count"] for d in details)
            if failed is None
            else failed,
        },
    }
    if details:
        entry["failure-details"] = details
    return entry


def _report(org: str, day: date, policies: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "organization-name": org,
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": f"tlsrpt@{org.split()[0].lower()}.example",
        "report-id": f"{day}_{org.split()[0].lower()}_example.com",
        "policies": policies,
    }


def _detail(result_type: str, count: int, mx: str | None = None, ip: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"result-type": result_type, "failed-session-count": count}
    if mx:
        detail["receiving-mx-hostname"] = mx
    if ip:
        detail["receiving-ip"] = ip
    return detail


def _google(day: date, n: int) -> dict[str, Any]:
    policy = NEW_POLICY if day >= CHANGE_DAY else OLD_POLICY
    details = (
        [_detail("certificate-expired", 5 + n, "mx2.example.com")]
        if day in (date(2024, 3, 8), date(2024, 3, 9))
        else []
    )
    return _report("Google Inc.", day, [_policy("example.com", policy, 1000 + 10 * n, details)])


def _microsoft(day: date, n: int) -> dict[str, Any]:
    policy = NEW_POLICY if day >= CHANGE_DAY else OLD_POLICY
    details = (
        [_detail("starttls-not-supported", 3, "mx2.example.com.", "192.0.2.25")] if day == date(2024, 3, 9) else []
    )
    return _report("Microsoft Corporation", day, [_policy("example.com", policy, 500 + n, details)])


def _mailru(day: date, n: int) -> dict[str, Any]:
    policy = NEW_POLICY if day > date(2024, 3, 10) else OLD_POLICY
    policies = [_policy("example.com", policy, 20 + n, [], failed=1 if day == date(2024, 3, 4) else 0)]
    if day == date(2024, 3, 2):
        policies.append(_policy("example.com", None, 0, [_detail("sts-policy-fetch-error", 2)]))
    return _report("Mail.ru", day, policies)


def _comcast(day: date, n: int) -> dict[str, Any]:
    return _report("Comcast", day, [_policy("example.com", NEW_POLICY, 40 + n, [], mx_host=False)])


def _yahoo(day: date, n: int) -> dict[str, Any]:
    return _report("Yahoo", day, [_policy("example.org", ORG_POLICY, 7 * n, [])])


def raw_reports() -> list[dict[str, Any]]:
    """The sender-side JSON documents of the corpus (RFC 8460 keys), in a fixed order."""
    out: list[dict[str, Any]] = []
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        out += [_google(day, n), _microsoft(day, n), _mailru(day, n)]
        if day >= date(2024, 3, 11):
            out.append(_comcast(day, n))
        if n % 3 == 0:
            out.append(_yahoo(day, n))
    return out


def normalised_reports() -> list[dict[str, Any]]:
    """The corpus as the parser normalises it."""
    reports = []
    for doc in raw_reports():
        result = parse_body(json.dumps(doc).encode(), "corpus")
        assert result.reports and not result.failures, result.failures
        reports.append(result.reports[0].report)
    return reports


def as_email(doc: dict[str, Any]) -> bytes:
    """``doc`` gzipped as the attachment of a TLS-RPT e-mail (RFC 8460 §5.3)."""
    msg = EmailMessage()
    msg["Subject"] = f"Report Domain: example.com Submitter: x Report-ID: <{doc['report-id']}>"
    msg.set_content("This is an aggregate TLS report.")
    body = gzip.compress(json.dumps(doc).encode(), mtime=0)
    msg.add_attachment(body, maintype="application", subtype="tlsrpt+gzip", filename="x!example.com!1!2.json.gz")
    return msg.as_bytes()


def write_corpus(directory: Path) -> Path:
    """The corpus as files: each report as ``.json`` (every third gzipped), plus duplicates: the
    first five reports also inside an ``.eml``. Returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(raw_reports()):
        data = json.dumps(doc, indent=1).encode()
        if i % 3 == 2:
            (directory / f"r{i:03}.json.gz").write_bytes(gzip.compress(data, mtime=0))
        else:
            (directory / f"r{i:03}.json").write_bytes(data)
        if i < 5:
            (directory / "mail").mkdir(exist_ok=True)
            (directory / "mail" / f"m{i:03}.eml").write_bytes(as_email(doc))
    return directory


def summarise(reports: Iterable[Mapping[str, Any]], *, since: date | None = None, until: date | None = None) -> Summary:
    """A :class:`Summary` of ``reports`` (what ``reports summary`` counts, without reading files)."""
    summary = Summary(since=since, until=until)
    for report in reports:
        summary.add(report)
    return summary
