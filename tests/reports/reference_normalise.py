"""The report normaliser as it was before the speed work of issue 25 (commit 0c5d0b7), kept as the reference
the fast one must agree with on every generated report (tests/reports/test_normalise_reference.py). Not used by
the package; do not "fix" it: a change in behaviour belongs in the package AND here, on purpose."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json
from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS, MAX_COUNT, ReportError, shown_count

#: Optional string fields of a failure detail: (JSON key, normalised key).
FAILURE_DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("sending-mta-ip", "sending_mta_ip"),
    ("receiving-mx-hostname", "receiving_mx_hostname"),
    ("receiving-mx-helo", "receiving_mx_helo"),
    ("receiving-ip", "receiving_ip"),
    ("additional-information", "additional_information"),
    ("failure-reason-code", "failure_reason_code"),
)

#: Keys senders use (SocketLabs, RFC 8460's drafts), read as the RFC key when that is absent (else ``extra``).
DETAIL_ALIASES: dict[str, str] = {
    "receiving-mx-host-name": "receiving-mx-hostname",
    "additional-info-uri": "additional-information",
}
POLICY_ALIASES: dict[str, str] = {"mx-host-pattern": "mx-host"}

_REPORT_KEYS = frozenset({"organization-name", "date-range", "contact-info", "report-id", "policies"})
_DATE_RANGE_KEYS = frozenset({"start-datetime", "end-datetime"})
_ENTRY_KEYS = frozenset({"policy", "summary", "failure-details"})
_POLICY_KEYS = frozenset({"policy-type", "policy-string", "policy-domain", "mx-host"})
_SUMMARY_KEYS = frozenset({"total-successful-session-count", "total-failure-session-count"})
_DETAIL_KEYS = frozenset({"result-type", "failed-session-count", *(key for key, _ in FAILURE_DETAIL_FIELDS)})
_NO_ALIASES: dict[str, str] = {}

#: An ``mx`` line of an MTA-STS policy (RFC 8461 §3.2; the field name is case-sensitive).
_MX_LINE = re.compile(r"mx[ \t]*:[ \t]*(.*?)[ \t]*\Z", re.DOTALL)
#: A host name pattern once lowercased and without its trailing dot: ``[*.]label(.label)*``.
_MX_PATTERN = re.compile(r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\Z")

#: Digits of :data:`MAX_COUNT` (19): a count string with more significant digits is too large.
_COUNT_DIGITS = len(str(MAX_COUNT))


def _text(value: Any, path: str, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise ReportError(f"{path} is missing")
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text and required:
            raise ReportError(f"{path} is empty")
        return text or None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportError(f"{path} must be a string, got {type(value).__name__}")
    return str(value)


def _count(value: Any, path: str) -> int:
    """A session count from 0 to :data:`MAX_COUNT`: a JSON number (a whole float too) or ASCII digits."""
    if value is None:
        raise ReportError(f"{path} is missing")
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or not text.isascii():
            raise ReportError(f"{path} must be a count (a whole number), got {value!r}")
        if len(text.lstrip("0")) > _COUNT_DIGITS:  # never int() thousands of digits
            raise _count_too_large(value, path)
        number = int(text)
    elif isinstance(value, float) and (value.is_integer() or value == math.inf):
        if value > MAX_COUNT:
            raise _count_too_large(value, path)
        number = int(value)
    else:
        raise ReportError(f"{path} must be a count (a whole number), got {value!r}")
    if number < 0:
        raise ReportError(f"{path} must not be negative, got {number}")
    if number > MAX_COUNT:
        raise _count_too_large(value, path)
    return number


def _count_too_large(value: object, path: str) -> ReportError:
    return ReportError(
        f"{path} is {shown_count(value)}: above {MAX_COUNT} (2^63-1), the largest count a report may hold"
    )


def _timestamp(value: Any, path: str) -> str:
    """RFC 3339 text, or what real senders use instead (Unix seconds, ``UTC``/``GMT`` suffixes)."""
    if value is None:
        raise ReportError(f"{path} is missing")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix_seconds(value, path)
    if not isinstance(value, str):
        raise ReportError(f"{path} must be an RFC 3339 date-time string, got {type(value).__name__}")
    # already canonical: validate only (changed on purpose in issue 25's seventh session: until then any 20
    # characters with T and Z in place passed as canonical, a week date or an offset among them)
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value, re.ASCII):
        _parse_iso(value[:19], value, path)
        return value
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) >= 9:
        return _from_unix_seconds(int(text), path)
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    elif text.endswith(" UTC") or text.endswith(" GMT"):
        text = text[:-4] + "+00:00"
    moment = _parse_iso(text, value, path)
    try:  # changed on purpose in issue 25's seventh session: an instant outside years 1-9999 in UTC raised
        return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:  # OverflowError (a failure without the field's name); it is refused as unreadable
        raise ReportError(f"{path} is not an RFC 3339 date-time: {value!r}") from None


def _from_unix_seconds(value: float, path: str) -> str:
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ReportError(f"{path} is not a date-time: {value!r}") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str, original: str, path: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(f"{path} is not an RFC 3339 date-time: {original!r}") from None


def _strings(value: Any, path: str, key: str = "") -> list[str]:
    """Stripped strings, empty ones left out; one string is split at LF (RFC 8461 §3.2 ends a line so)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [line for line in (part.strip() for part in value.split("\n")) if line]
    if not isinstance(value, list):
        raise ReportError(f"{path}{key} must be a list of strings, got {type(value).__name__}")
    try:
        return [item for item in map(str.strip, value) if item]
    except TypeError:  # an item that is no string
        i, item = next((i, item) for i, item in enumerate(value) if not isinstance(item, str))
        raise ReportError(f"{path}{key}[{i}] must be a string, got {type(item).__name__}") from None


def normal_domain(value: Any, path: str = "domain", key: str = "") -> str:
    """Lowercase A-labels, no trailing dot: a policy's domain, or a filter's (to match the reports)."""
    if type(value) is str and value.isascii():
        text = value.strip().rstrip(".").lower()
        if text and " " not in text:
            return text
    path += key  # the JSON path, built only when the fast path does not answer
    text = str(_text(value, path, required=True)).rstrip(".").lower()
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            raise ReportError(f"{path} is not a domain name: {value!r}") from None
    if not text or " " in text:
        raise ReportError(f"{path} is not a domain name: {value!r}")
    return text


def _object(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        raise ReportError(f"{path} is missing")
    if not isinstance(value, dict):
        raise ReportError(f"{path} must be an object, got {type(value).__name__}")
    return value


def _split_known(
    obj: dict[str, Any], known: frozenset[str], aliases: dict[str, str] = _NO_ALIASES
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(Fields read, aliases as their absent RFC keys; the rest as sent or ``None``)."""
    if known.issuperset(obj):
        return obj, None
    fields = {key: value for key, value in obj.items() if key in known}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        if key in known:
            continue
        rfc_key = aliases.get(key)
        if rfc_key is not None and fields.get(rfc_key) is None:
            fields[rfc_key] = value
        else:
            extra[key] = value
    return fields, extra or None


def _merged(*parts: tuple[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    merged = {f"{prefix}{key}": value for prefix, extra in parts if extra for key, value in extra.items()}
    return merged or None


def _failure_detail(raw: Any, path: str, index: int) -> dict[str, Any]:
    """One failure detail; ``path`` and ``index`` name it (built only for an error)."""
    if type(raw) is not dict:
        raw = _object(raw, f"{path}.failure-details[{index}]")
    detail, extra = _split_known(raw, _DETAIL_KEYS, DETAIL_ALIASES)
    get = detail.get
    result_type = get("result-type")
    if type(result_type) is not str or not result_type.strip():
        result_type = _text(result_type, f"{path}.failure-details[{index}].result-type", required=True)
    count = get("failed-session-count")
    if type(count) is not int or not 0 <= count <= MAX_COUNT:
        count = _count(count, f"{path}.failure-details[{index}].failed-session-count")
    out: dict[str, Any] = {"result_type": str(result_type).strip().lower(), "failed_session_count": count}
    for key, name in FAILURE_DETAIL_FIELDS:
        value = get(key)
        if value is None:
            out[name] = None
        elif type(value) is str:
            out[name] = value.strip() or None
        else:
            out[name] = _text(value, f"{path}.failure-details[{index}].{key}", required=False)
    out["extra"] = extra
    return out


def _mx_pattern(value: str) -> str | None:
    pattern = value.lower().rstrip(".")
    if not pattern.isascii():
        wildcard, name = ("*.", pattern[2:]) if pattern.startswith("*.") else ("", pattern)
        try:
            pattern = wildcard + name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return pattern if _MX_PATTERN.match(pattern) else None


def policy_mx_patterns(policy_strings: list[str], path: str, warnings: list[str]) -> list[str]:
    """The ``mx`` values of a policy's lines (RFC 8461 §3.2); no host name pattern: a warning instead."""
    patterns: list[str] = []
    for item in policy_strings:
        for line in item.split("\n"):
            match = _MX_LINE.match(line.rstrip("\r")) if line.startswith("mx") else None  # the regex's own start
            if match is None:
                continue
            pattern = _mx_pattern(match.group(1))
            if pattern is None:
                warnings.append(f"{path}: mx value {match.group(1)!r} is not a host name pattern; not in mx_hosts")
            else:
                patterns.append(pattern)
    return patterns


#: A TLSA records string read as JSON: one flat array, no more values than a whole report may hold.
_FLAT_ARRAY = JsonBounds(max_depth=1, max_items=DEFAULT_LIMITS.max_json_items)


def _json_string_array(text: str) -> list[str] | None:
    try:
        value = load_bounded_json(text, _FLAT_ARRAY)
    except JsonInputError:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return [item.strip() for item in value if item.strip()]


def _tlsa_records(policy_strings: list[str]) -> list[str]:
    """TLSA records one per string: Microsoft sends them all as one string holding a JSON array."""
    if not any(line.startswith("[") for line in policy_strings):
        return policy_strings
    records: list[str] = []
    for line in policy_strings:
        split = _json_string_array(line) if line.startswith("[") else None
        records.extend([line] if split is None else split)
    return records


def _mx_hosts(
    policy: dict[str, Any], policy_type: str, policy_strings: list[str], path: str, warnings: list[str]
) -> tuple[list[str], str | None]:
    declared = [h.rstrip(".").lower() for h in _strings(policy.get("mx-host"), path, ".policy.mx-host")]
    if declared:
        return declared, "mx-host"
    if policy_type == "sts":
        derived = policy_mx_patterns(policy_strings, f"{path}.policy.policy-string", warnings)
        if derived:
            return derived, "policy-string"
    return [], None


def _part(
    parent: dict[str, Any], key: str, path: str, known: frozenset[str], aliases: dict[str, str] = _NO_ALIASES
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    value = parent.get(key)
    if type(value) is dict and known.issuperset(value):  # the common case, without a call
        return value, None
    return _split_known(
        value if type(value) is dict else _object(value, f"{path}.{key}" if path else key), known, aliases
    )


def _policy(raw: Any, index: int, warnings: list[str]) -> dict[str, Any]:
    path = f"policies[{index}]"
    entry, entry_extra = _split_known(raw if type(raw) is dict else _object(raw, path), _ENTRY_KEYS)
    policy, policy_extra = _part(entry, "policy", path, _POLICY_KEYS, POLICY_ALIASES)
    kind = policy.get("policy-type")
    kind = (kind.strip() if type(kind) is str else "") or str(_text(kind, f"{path}.policy.policy-type", required=True))
    policy_type = kind.lower()
    value = policy.get("policy-domain")
    optional = policy_type == "no-policy-found" and _text(value, f"{path}.policy.policy-domain", required=False) is None
    domain = None if optional else normal_domain(value, path, ".policy.policy-domain")
    strings = _strings(policy.get("policy-string"), path, ".policy.policy-string")
    strings = _tlsa_records(strings) if policy_type == "tlsa" else strings
    mx_hosts, mx_source = _mx_hosts(policy, policy_type, strings, path, warnings)
    summary, summary_extra = _part(entry, "summary", path, _SUMMARY_KEYS)
    details = entry.get("failure-details")
    if isinstance(details, dict):
        details = [details]
    elif details is not None and not isinstance(details, list):
        raise ReportError(f"{path}.failure-details must be a list, got {type(details).__name__}")
    successful, failed = summary.get("total-successful-session-count"), summary.get("total-failure-session-count")
    if type(successful) is not int or not 0 <= successful <= MAX_COUNT:
        successful = _count(successful, f"{path}.summary.total-successful-session-count")
    if type(failed) is not int or not 0 <= failed <= MAX_COUNT:
        failed = _count(failed, f"{path}.summary.total-failure-session-count")
    rows = [_failure_detail(d, path, i) for i, d in enumerate(details)] if details else []
    if rows and (listed := sum(row["failed_session_count"] for row in rows)) != failed:
        warnings.append(
            f"{path}: summary.total-failure-session-count is {failed} but the failure-details rows "
            f"add up to {listed}; the sender's total is kept"
        )
    extra = None
    if entry_extra or policy_extra or summary_extra:
        extra = _merged(("", entry_extra), ("policy.", policy_extra), ("summary.", summary_extra))
    return {
        "policy_type": policy_type,
        "policy_domain": domain,
        "policy_strings": strings,
        "mx_hosts": mx_hosts,
        "mx_hosts_source": mx_source,
        "successful": successful,
        "failed": failed,
        "failure_details": rows,
        "extra": extra,
    }


def normalise_report(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ReportError(f"a report is a JSON object; this is a JSON {type(doc).__name__}")
    if "organization-name" not in doc and "policies" not in doc and "report-id" not in doc:
        raise ReportError("not a TLS-RPT report: no organization-name, report-id or policies")
    report, report_extra = _split_known(doc, _REPORT_KEYS)
    date_range, date_extra = _part(report, "date-range", "", _DATE_RANGE_KEYS)
    policies_raw = report.get("policies")
    if policies_raw is None:
        raise ReportError("policies is missing")
    if not isinstance(policies_raw, list):
        raise ReportError(f"policies must be a list, got {type(policies_raw).__name__}")
    warnings: list[str] = []
    return {
        "organization_name": _text(report.get("organization-name"), "organization-name", required=True),
        "report_id": _text(report.get("report-id"), "report-id", required=True),
        "contact_info": _text(report.get("contact-info"), "contact-info", required=False),
        "start": _timestamp(date_range.get("start-datetime"), "date-range.start-datetime"),
        "end": _timestamp(date_range.get("end-datetime"), "date-range.end-datetime"),
        "policies": [_policy(p, i, warnings) for i, p in enumerate(policies_raw)],
        "extra": _merged(("", report_extra), ("date-range.", date_extra)) if report_extra or date_extra else None,
        "warnings": warnings,
    }
