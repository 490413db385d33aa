"""A TLS-RPT report (RFC 8460 §4) as JSON → one normalised ``dict`` (docs/cli.md, ``reports parse``).

Keys are snake_case, times UTC ``YYYY-MM-DDTHH:MM:SSZ``, counts whole numbers from 0 to
:data:`~.limits.MAX_COUNT` (a larger one, however written, makes the report malformed). What real
senders send is tolerated: counts as strings, ``mx-host`` or ``policy-string`` as one string, times
without a zone, ``no-policy-found`` without a domain, unknown result and policy types (lowercased),
a ``tlsa`` ``policy-string`` holding a JSON array (Microsoft: split into records), the keys of
:data:`POLICY_ALIASES` and :data:`DETAIL_ALIASES`. Anything else raises :class:`ReportError`
naming the JSON path. Nothing a sender says is dropped:

- ``mx_hosts`` are the policy's MX patterns, and ``mx_hosts_source`` says where from: ``mx-host``,
  or ``policy-string`` (an ``sts`` policy without ``mx-host``, as Microsoft and older Google
  reports send: its ``mx:`` lines, RFC 8461 §3.2, read by :func:`policy_mx_patterns`: the Lambda
  has no ``idna`` for the core's parser), or ``None``;
- keys the parser does not read are kept as sent in ``extra`` at their level (the report's holds
  ``date-range.<key>``, a policy's ``policy.<key>`` and ``summary.<key>``); ``None`` when there are
  none, so a large report's many rows stay flat, cheap records;
- ``warnings`` says, with the JSON path, what looks wrong but is kept as sent (a failure total that
  is not the sum of its rows; ``mx:`` values that are no host name pattern).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json

from .limits import DEFAULT_LIMITS, MAX_COUNT, ReportError, shown_count

__all__ = ["DETAIL_ALIASES", "FAILURE_DETAIL_FIELDS", "POLICY_ALIASES", "normalise_report", "policy_mx_patterns"]

#: Optional string fields of a failure detail: (JSON key, normalised key).
FAILURE_DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("sending-mta-ip", "sending_mta_ip"),
    ("receiving-mx-hostname", "receiving_mx_hostname"),
    ("receiving-mx-helo", "receiving_mx_helo"),
    ("receiving-ip", "receiving_ip"),
    ("additional-information", "additional_information"),
    ("failure-reason-code", "failure_reason_code"),
)

#: Keys real senders use for an RFC 8460 key, read as the RFC key when that one is absent (else kept
#: in ``extra``): SocketLabs' ``receiving-mx-host-name``; the drafts of RFC 8460 named the others.
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

#: An ``mx`` line of an MTA-STS policy (RFC 8461 §3.2: ``"mx" *WSP ":" *WSP sts-policy-mx-value``;
#: the field name is case-sensitive, white space may follow the value).
_MX_LINE = re.compile(r"mx[ \t]*:[ \t]*(.*?)[ \t]*\Z", re.DOTALL)
#: A host name pattern once lowercased and without its trailing dot: ``[*.]label(.label)*``.
_MX_PATTERN = re.compile(r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\Z")

_MISSING = object()
#: Digits of :data:`MAX_COUNT` (19): a count string with more significant digits is too large.
_COUNT_DIGITS = len(str(MAX_COUNT))


def _text(value: Any, path: str, *, required: bool) -> str | None:
    if type(value) is str and value and not required:
        return value.strip() or None
    if value is _MISSING or value is None:
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
    """A session count: a whole number from 0 to :data:`MAX_COUNT`, as a JSON number (a whole
    float too) or a string of ASCII digits."""
    if value is _MISSING or value is None:
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
    """``value`` as a canonical UTC date-time (``YYYY-MM-DDTHH:MM:SSZ``): RFC 3339 text, with the
    deviations real senders use (Unix seconds as number or digits, ``UTC``/``GMT`` suffixes)."""
    if value is _MISSING or value is None:
        raise ReportError(f"{path} is missing")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix_seconds(value, path)
    if not isinstance(value, str):
        raise ReportError(f"{path} must be an RFC 3339 date-time string, got {type(value).__name__}")
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":  # already canonical: validate only
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
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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


def _strings(value: Any, path: str) -> list[str]:
    """A list of strings; one string is split into its lines (at LF or CRLF only, as RFC 8461
    §3.2 ends a policy line); missing is empty."""
    if type(value) is list and all(type(item) is str and item.strip() == item and item for item in value):
        return value
    if value is _MISSING or value is None:
        return []
    if isinstance(value, str):
        return [line for line in (part.strip() for part in value.split("\n")) if line]
    if not isinstance(value, list):
        raise ReportError(f"{path} must be a list of strings, got {type(value).__name__}")
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ReportError(f"{path}[{i}] must be a string, got {type(item).__name__}")
        if item.strip():
            out.append(item.strip())
    return out


def _domain(value: Any, path: str, *, required: bool) -> str | None:
    text = _text(value, path, required=required)
    if text is None:
        return None
    text = text.rstrip(".").lower()
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            raise ReportError(f"{path} is not a domain name: {value!r}") from None
    if not text or " " in text:
        raise ReportError(f"{path} is not a domain name: {value!r}")
    return text


def _object(value: Any, path: str) -> dict[str, Any]:
    if value is _MISSING or value is None:
        raise ReportError(f"{path} is missing")
    if not isinstance(value, dict):
        raise ReportError(f"{path} must be an object, got {type(value).__name__}")
    return value


def _split_known(
    obj: dict[str, Any], known: frozenset[str], aliases: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``obj`` as (the fields read, by their RFC names; the rest as sent, or ``None`` if none).

    An alias is read as its RFC key when that key is absent or null; otherwise it stays in the rest.
    The common case (nothing unknown) costs one subset test and no copy.
    """
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
    """The unknown keys of several objects of one level, each under its prefix; ``None`` if none."""
    merged = {f"{prefix}{key}": value for prefix, extra in parts if extra for key, value in extra.items()}
    return merged or None


def _failure_detail(raw: Any, path: str) -> dict[str, Any]:
    detail, extra = _split_known(raw if type(raw) is dict else _object(raw, path), _DETAIL_KEYS, DETAIL_ALIASES)
    get = detail.get
    result_type = get("result-type")
    if type(result_type) is not str or not result_type.strip():
        result_type = _text(get("result-type", _MISSING), f"{path}.result-type", required=True)
    count = get("failed-session-count")
    if type(count) is not int or not 0 <= count <= MAX_COUNT:
        count = _count(get("failed-session-count", _MISSING), f"{path}.failed-session-count")
    out: dict[str, Any] = {"result_type": str(result_type).strip().lower(), "failed_session_count": count}
    for key, name in FAILURE_DETAIL_FIELDS:
        value = get(key)
        if value is None:
            out[name] = None
        elif type(value) is str:
            out[name] = value.strip() or None
        else:
            out[name] = _text(value, f"{path}.{key}", required=False)
    out["extra"] = extra
    return out


def _summary_count(summary: dict[str, Any], key: str, path: str) -> int:
    value = summary.get(key, _MISSING)
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return value
    return _count(value, f"{path}.summary.{key}")


def _mx_pattern(value: str) -> str | None:
    """``value`` as a host name pattern (lowercase, A-labels, no trailing dot), or ``None``."""
    pattern = value.lower().rstrip(".")
    if not pattern.isascii():
        wildcard, name = ("*.", pattern[2:]) if pattern.startswith("*.") else ("", pattern)
        try:
            pattern = wildcard + name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return pattern if _MX_PATTERN.match(pattern) else None


def policy_mx_patterns(policy_strings: list[str], path: str, warnings: list[str]) -> list[str]:
    """The ``mx`` values of an MTA-STS policy given as its lines (RFC 8461 §3.2), in order.

    Lines end at LF or CRLF only; ``mx`` is case-sensitive (``MX:`` is an extension, which a
    sender ignores). A value that is not a host name pattern is left out, with a warning.
    """
    patterns: list[str] = []
    for item in policy_strings:
        for line in item.split("\n"):
            match = _MX_LINE.match(line.rstrip("\r"))
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
    """The strings of ``text`` when it is a flat JSON array of strings, else ``None``."""
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
    """The policy's MX host patterns and where they came from (see the module docstring)."""
    declared = [h.rstrip(".").lower() for h in _strings(policy.get("mx-host", _MISSING), f"{path}.policy.mx-host")]
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
    """The object under ``key``, split by :func:`_split_known`."""
    return _split_known(_object(parent.get(key, _MISSING), path), known, aliases)


def _policy(raw: Any, path: str, warnings: list[str]) -> dict[str, Any]:
    entry, entry_extra = _split_known(_object(raw, path), _ENTRY_KEYS, _NO_ALIASES)
    policy, policy_extra = _part(entry, "policy", f"{path}.policy", _POLICY_KEYS, POLICY_ALIASES)
    policy_type = str(_text(policy.get("policy-type", _MISSING), f"{path}.policy.policy-type", required=True)).lower()
    domain = _domain(
        policy.get("policy-domain", _MISSING), f"{path}.policy.policy-domain", required=policy_type != "no-policy-found"
    )
    strings = _strings(policy.get("policy-string", _MISSING), f"{path}.policy.policy-string")
    strings = _tlsa_records(strings) if policy_type == "tlsa" else strings
    mx_hosts, mx_source = _mx_hosts(policy, policy_type, strings, path, warnings)
    summary, summary_extra = _part(entry, "summary", f"{path}.summary", _SUMMARY_KEYS)
    details = entry.get("failure-details")
    if isinstance(details, dict):
        details = [details]
    elif details is not None and not isinstance(details, list):
        raise ReportError(f"{path}.failure-details must be a list, got {type(details).__name__}")
    out: dict[str, Any] = {
        "policy_type": policy_type,
        "policy_domain": domain,
        "policy_strings": strings,
        "mx_hosts": mx_hosts,
        "mx_hosts_source": mx_source,
        "successful": _summary_count(summary, "total-successful-session-count", path),
        "failed": _summary_count(summary, "total-failure-session-count", path),
        "failure_details": [_failure_detail(d, f"{path}.failure-details[{i}]") for i, d in enumerate(details or ())],
        "extra": _merged(("", entry_extra), ("policy.", policy_extra), ("summary.", summary_extra)),
    }
    listed = sum(detail["failed_session_count"] for detail in out["failure_details"])
    if out["failure_details"] and listed != out["failed"]:
        warnings.append(
            f"{path}: summary.total-failure-session-count is {out['failed']} but the failure-details rows "
            f"add up to {listed}; the sender's total is kept"
        )
    return out


def normalise_report(doc: Any) -> dict[str, Any]:
    """Validate and normalise one decoded report (see the module docstring)."""
    if not isinstance(doc, dict):
        raise ReportError(f"a report is a JSON object; this is a JSON {type(doc).__name__}")
    if "organization-name" not in doc and "policies" not in doc and "report-id" not in doc:
        raise ReportError("not a TLS-RPT report: no organization-name, report-id or policies")
    report, report_extra = _split_known(doc, _REPORT_KEYS, _NO_ALIASES)
    date_range, date_extra = _part(report, "date-range", "date-range", _DATE_RANGE_KEYS)
    policies_raw = report.get("policies")
    if policies_raw is None:
        raise ReportError("policies is missing")
    if not isinstance(policies_raw, list):
        raise ReportError(f"policies must be a list, got {type(policies_raw).__name__}")
    warnings: list[str] = []
    return {
        "organization_name": _text(report.get("organization-name", _MISSING), "organization-name", required=True),
        "report_id": _text(report.get("report-id", _MISSING), "report-id", required=True),
        "contact_info": _text(report.get("contact-info", _MISSING), "contact-info", required=False),
        "start": _timestamp(date_range.get("start-datetime", _MISSING), "date-range.start-datetime"),
        "end": _timestamp(date_range.get("end-datetime", _MISSING), "date-range.end-datetime"),
        "policies": [_policy(p, f"policies[{i}]", warnings) for i, p in enumerate(policies_raw)],
        "extra": _merged(("", report_extra), ("date-range.", date_extra)),
        "warnings": warnings,
    }
