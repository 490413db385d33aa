"""Summaries (the ``Summary.as_json()`` shape, CONTRACTS.md B) for the HTML report's tests.

:func:`realistic_summary` is what an owner of two domains sees after three weeks in ``testing``:
seven sending organisations, 21 days (one without any report), three MX hosts, five result types,
numbers from tens to millions, and a policy change (``testing`` to ``enforce``) on day 15.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

FIRST_DAY = date(2026, 11, 1)
DAYS = 21
MISSING_DAY = 9  # the tenth day has no report at all

ORGANISATIONS = (
    ("Google Inc.", 1_400_000),
    ("Microsoft Corporation", 620_000),
    ("Yahoo", 85_000),
    ("Comcast Cable", 21_000),
    ("GMX & WEB.DE", 9_400),
    ("Proton AG", 2_300),
    ("mail.example-isp.net", 140),
)
MX_HOSTS = (
    ("mx1.example.com", ["192.0.2.25", "2001:db8::25"]),
    ("mx2.example.com", ["192.0.2.26"]),
    ("backup-mx.example.net", ["198.51.100.7"]),
)
RESULT_TYPES = (
    "certificate-host-mismatch",
    "starttls-not-supported",
    "validation-failure",
    "sts-policy-fetch-error",
    "certificate-expired",
)
POLICY_TESTING = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "mx: mx2.example.com", "max_age: 86400"]
POLICY_ENFORCE = ["version: STSv1", "mode: enforce", "mx: mx1.example.com", "mx: mx2.example.com", "max_age: 604800"]


def _day(index: int) -> str:
    return (FIRST_DAY + timedelta(days=index)).isoformat()


def _domain_days(rng: random.Random, scale: int) -> list[dict[str, Any]]:
    days = []
    for index in range(DAYS):
        if index == MISSING_DAY:
            continue
        successful = scale + rng.randrange(scale // 5)
        failed = 0 if index >= 15 else rng.choice((0, 3, 12, 40, 180, 2_600))
        days.append({"day": _day(index), "successful": successful, "failed": failed, "organizations": 5})
    return days


def _domain(name: str, days: list[dict[str, Any]]) -> dict[str, Any]:
    successful = sum(d["successful"] for d in days)
    failed = sum(d["failed"] for d in days)
    rate = round(successful / (successful + failed), 6)
    return {"domain": name, "successful": successful, "failed": failed, "success_rate": rate, "days": days}


def realistic_summary() -> dict[str, Any]:
    """Three weeks of reports for example.com and example.org (deterministic)."""
    rng = random.Random(15)
    domains = [_domain("example.com", _domain_days(rng, 95_000)), _domain("example.org", _domain_days(rng, 3_000))]
    organizations = [
        {
            "organization": name,
            "reports": DAYS - 1,
            "successful": volume,
            "failed": rng.choice((0, 7, 310, 4_100)),
            "domains": ["example.com", "example.org"] if volume > 5_000 else ["example.com"],
        }
        for name, volume in ORGANISATIONS
    ]
    result_types = [
        {
            "result_type": name,
            "failed": failed,
            "organizations": [org for org, _ in ORGANISATIONS[: 2 + index]],
            "mx_hosts": [MX_HOSTS[index % 3][0]],
            "domains": ["example.com"],
            "first_day": _day(index),
            "last_day": _day(14 - index),
        }
        for index, (name, failed) in enumerate(zip(RESULT_TYPES, (5_210, 1_380, 260, 45, 3), strict=True))
    ]
    mx_hosts = [
        {"mx_host": host, "ips": ips, "successful": volume, "failed": failed, "source": "mx-host"}
        for (host, ips), volume, failed in zip(MX_HOSTS, (1_650_000, 480_000, 7_800), (4_900, 1_900, 98), strict=True)
    ]
    policies = [
        _policy(POLICY_TESTING, "8b0f4e6a1c2d", 0, 16, 1_700_000, 6_898),
        _policy(POLICY_ENFORCE, "f31a77c0be42", 15, DAYS - 1, 640_000, 0),
    ]
    return _summary(domains, organizations, result_types, mx_hosts, policies)


def _policy(lines: list[str], policy_id: str, first: int, last: int, ok: int, failed: int) -> dict[str, Any]:
    return {
        "domain": "example.com",
        "policy_type": "sts",
        "policy_string": lines,
        "policy_id": policy_id,
        "organizations": [name for name, _ in ORGANISATIONS],
        "first_day": _day(first),
        "last_day": _day(last),
        "successful": ok,
        "failed": failed,
    }


def _summary(
    domains: list[dict[str, Any]],
    organizations: list[dict[str, Any]],
    result_types: list[dict[str, Any]],
    mx_hosts: list[dict[str, Any]],
    policies: list[dict[str, Any]],
) -> dict[str, Any]:
    days = sorted({d["day"] for domain in domains for d in domain["days"]})
    counted = sum(org["reports"] for org in organizations)
    return {
        "period": {
            "since": None,
            "until": None,
            "first_day": days[0] if days else None,
            "last_day": days[-1] if days else None,
        },
        "filter": {"domain": None},
        "reports": {"read": counted + 9, "counted": counted, "duplicates": 9, "outside_filter": 0, "unreadable": 0},
        "domains": domains,
        "organizations": organizations,
        "result_types": result_types,
        "mx_hosts": mx_hosts,
        "policies": policies,
    }


def empty_summary() -> dict[str, Any]:
    """What ``summarise([])`` says: no reports at all."""
    return _summary([], [], [], [], [])


# ---- hostile text ---------------------------------------------------------------------------

NAME_OF_KEY = {
    "domains": "domain",
    "organizations": "organization",
    "result_types": "result_type",
    "mx_hosts": "mx_host",
    "policies": "domain",
}

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "</title></svg></td></table><b>",
    "<!-- ",
    "]]><![CDATA[",
    "&amp;&lt;&#x3c;",
    "\u202egnp.exe",
    "\u2066isolated\u2069",
    "a\u0000b\r\nc\u2028d\u200be",
    "\ud800lone surrogate",
    "javascript:alert(1)",
    "url(https://evil.example/x)",
    "مايكروسوفت",
    "x" * 5_000,
]


def with_names(summary: dict[str, Any], name: Callable[[], str]) -> dict[str, Any]:
    """``summary`` with every text a sender chooses (names, hosts, IPs, policy lines) from ``name``."""
    out = copy.deepcopy(summary)
    for key, field in NAME_OF_KEY.items():
        for row in out[key]:
            row[field] = name()
            for list_field in ("organizations", "domains", "mx_hosts", "ips", "policy_string"):
                if list_field in row:
                    row[list_field] = [name() for _ in row[list_field]]
    for row in out["mx_hosts"]:
        row["source"] = name()
    for row in out["policies"]:
        row["policy_type"], row["policy_id"] = name(), name()
    return out
