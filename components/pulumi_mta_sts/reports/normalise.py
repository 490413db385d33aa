"""A TLS-RPT report (RFC 8460 §4) as JSON → one normalised ``dict`` (docs/cli.md). What real senders send is
tolerated, anything else raises :class:`ReportError` naming the JSON path; unread keys stay in ``extra``,
``warnings`` name what looks wrong but is kept. Checks have an inline fast path, JSON paths are built for errors."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, json_decoder, load_bounded_json

from .limits import DEFAULT_LIMITS, MAX_COUNT, ReportError, shown_count

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
_FAILED_SESSIONS = itemgetter("failed_session_count")
_DETAIL_ROW = dict.fromkeys(["result_type", "failed_session_count", *dict(FAILURE_DETAIL_FIELDS).values(), "extra"])

#: An ``mx`` line of an MTA-STS policy (RFC 8461 §3.2; the field name is case-sensitive).
_MX_LINE = re.compile(r"mx[ \t]*:[ \t]*(.*?)[ \t]*\Z", re.DOTALL)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
#: A host name pattern once lowercased and without its trailing dot: ``[*.]label(.label)*``.
_MX_PATTERN = re.compile(rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*\Z")
#: A label in any case as runs the matcher never backtracks into (a plain ``mx`` line is matched in one pass).
_ANY_CASE_LABEL = r"[A-Za-z0-9_]++(?:-++[A-Za-z0-9_]++)*+"
#: An ``mx`` line whose value is plainly such a pattern (ASCII, any case, one final dot at most): read at once.
_MX_PLAIN = re.compile(rf"mx[ \t]*:[ \t]*((?:\*\.)?{_ANY_CASE_LABEL}(?:\.{_ANY_CASE_LABEL})*)\.?[ \t]*\Z", re.ASCII)
#: A date-time without zone, as ``%Y-%m-%dT%H:%M:%S`` writes it (four-digit years: strftime does not pad).
_NAIVE = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\Z")
#: Digits of :data:`MAX_COUNT` (19): a count string with more significant digits is too large.
_COUNT_DIGITS = len(str(MAX_COUNT))
#: Canonical date-times read before and their answer (a day's reports share one date-range): the first 1024.
_CANONICAL_TIMES: dict[str, str] = {}
_KEPT_TIMES = 1024


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
    if type(value) is str and (known := _CANONICAL_TIMES.get(value)):
        return known
    if type(value) is str and ((len(value) == 20 and value[4::3] == "--T::Z") or _NAIVE.match(value)):
        try:  # YYYY-MM-DDTHH:MM:SSZ (the parse checks the digits), or UTC without its Z (Microsoft) as strftime ends it
            datetime.fromisoformat(value[:19])
        except ValueError:
            _parse_iso(value[:19], value, path)  # refused, in its words
        canonical = value if len(value) == 20 else value + "Z"
        return _CANONICAL_TIMES.setdefault(value, canonical) if len(_CANONICAL_TIMES) < _KEPT_TIMES else canonical
    if value is None:
        raise ReportError(f"{path} is missing")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix_seconds(value, path)
    if not isinstance(value, str):
        raise ReportError(f"{path} must be an RFC 3339 date-time string, got {type(value).__name__}")
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) >= 9:
        return _from_unix_seconds(int(text), path)
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    elif text.endswith(" UTC") or text.endswith(" GMT"):
        text = text[:-4] + "+00:00"
    return _parse_iso(text, value, path).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_unix_seconds(value: float, path: str) -> str:
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ReportError(f"{path} is not a date-time: {value!r}") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str, original: str, path: str) -> datetime:
    """The instant ``text`` names, in UTC (no zone: UTC); refused if unreadable or outside years 1-9999 in UTC."""
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ReportError(f"{path} is not an RFC 3339 date-time: {original!r}") from None


def _strings(value: Any, index: int, key: str) -> list[str]:
    """Stripped strings, empty ones left out; one string is split at LF (RFC 8461 §3.2 ends a line so)."""
    if isinstance(value, list):
        try:
            return list(filter(None, map(str.strip, value)))  # no Python frame: map and filter run in C
        except TypeError:  # an item that is no string
            i, item = next((i, item) for i, item in enumerate(value) if not isinstance(item, str))
            raise ReportError(f"policies[{index}]{key}[{i}] must be a string, got {type(item).__name__}") from None
    if value is None or isinstance(value, str):
        return [] if value is None else list(filter(None, map(str.strip, value.split("\n"))))
    raise ReportError(f"policies[{index}]{key} must be a list of strings, got {type(value).__name__}")


def normal_domain(value: Any, path: str = "domain") -> str:
    """Lowercase A-labels, no trailing dot: a policy's domain, or a filter's (to match the reports)."""
    if type(value) is str and value.isascii():
        text = value.strip().rstrip(".").lower()
        if text and " " not in text:
            return text
    text = str(_text(value, path, required=True)).rstrip(".").lower()
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            raise ReportError(f"{path} is not a domain name: {value!r}") from None
    if not text or " " in text:
        raise ReportError(f"{path} is not a domain name: {value!r}")
    return text


def _merged(*parts: tuple[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    merged = {f"{prefix}{key}": value for prefix, extra in parts if extra for key, value in extra.items()}
    return merged or None


def _failure_detail(raw: Any, where: int, index: int) -> dict[str, Any]:
    """Failure detail ``index`` of policy ``where`` (its JSON path is built only for an error)."""
    detail, extra = raw, None
    if type(raw) is not dict or not _DETAIL_KEYS.issuperset(raw):
        detail, extra = _part(raw, f"policies[{where}].failure-details[{index}]", _DETAIL_KEYS, DETAIL_ALIASES)
    get = detail.get
    result = get("result-type")
    if type(result) is not str or not (result := result.strip()):
        result = str(_text(result, f"policies[{where}].failure-details[{index}].result-type", required=True))
    count = get("failed-session-count")
    if type(count) is not int or not 0 <= count <= MAX_COUNT:
        count = _count(count, f"policies[{where}].failure-details[{index}].failed-session-count")
    out: dict[str, Any] = _DETAIL_ROW.copy()  # every key in its place at once: no growing
    out["result_type"], out["failed_session_count"], out["extra"] = result.lower(), count, extra
    for key, name in FAILURE_DETAIL_FIELDS:
        value = get(key)
        if type(value) is str:
            out[name] = value.strip() or None
        elif value is not None:  # None: the template's None stays
            out[name] = _text(value, f"policies[{where}].failure-details[{index}].{key}", required=False)
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


def policy_mx_patterns(policy_strings: list[str], index: int, warnings: list[str]) -> list[str]:
    """The ``mx`` values of a policy's lines (RFC 8461 §3.2), a plain line in one match (nearly always); no host
    name pattern: a warning instead."""
    patterns: list[str] = []
    for item in policy_strings:
        for line in item.split("\n"):
            if line[:2] != "mx":  # the regexes' own start
                continue
            if plain := _MX_PLAIN.match(line):
                patterns.append(plain.group(1).lower())
            elif (match := _MX_LINE.match(line.rstrip("\r"))) and (pattern := _mx_pattern(match.group(1))):
                patterns.append(pattern)
            elif match:
                where = f"policies[{index}].policy.policy-string"
                warnings.append(f"{where}: mx value {match.group(1)!r} is not a host name pattern; not in mx_hosts")
    return patterns


#: A TLSA records string read as JSON: one flat array, no more values than a whole report may hold.
_FLAT_ITEMS = DEFAULT_LIMITS.max_json_items
_FLAT_ARRAY = JsonBounds(max_depth=1, max_items=_FLAT_ITEMS)


def _json_string_array(text: str) -> list[str] | None:
    """An array of strings as the bounded reader reads it; text shorter than its item bound, at once (if flat)."""
    try:
        value = json_decoder(None).decode(text) if len(text) < _FLAT_ITEMS else load_bounded_json(text, _FLAT_ARRAY)
        return list(filter(None, map(str.strip, value))) if type(value) is list else None
    except (ValueError, TypeError, RecursionError):  # not JSON, past a bound, or an item that is no string
        return None


def _tlsa_records(policy_strings: list[str]) -> list[str]:
    """TLSA records one per string: Microsoft sends them all as one string holding a JSON array."""
    records: list[str] = []
    for line in policy_strings:
        split = _json_string_array(line) if line[:1] == "[" else None
        records.extend([line] if split is None else split)
    return records


def _part(
    value: Any, path: str, known: frozenset[str], aliases: dict[str, str] = _NO_ALIASES
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(Fields read, aliases as their absent RFC keys; the rest or ``None``): the caller has the common case."""
    if not isinstance(value, dict):
        raise ReportError(
            f"{path} is missing" if value is None else f"{path} must be an object, got {type(value).__name__}"
        )
    fields = {key: item for key, item in value.items() if key in known}
    extra: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            rfc_key = aliases.get(key)
            if rfc_key is not None and fields.get(rfc_key) is None:
                fields[rfc_key] = item
            else:
                extra[key] = item
    return fields, extra or None


def _described(policy: dict[str, Any], index: int, warnings: list[str]) -> tuple[Any, ...]:
    """A policy's type, domain, strings, MX hosts and where those came from."""
    get = policy.get
    kind = get("policy-type")
    if type(kind) is not str or not (kind := kind.strip()):
        kind = str(_text(get("policy-type"), f"policies[{index}].policy.policy-type", required=True))
    policy_type = kind.lower()
    value = get("policy-domain")
    domain = value.strip().rstrip(".").lower() if type(value) is str and value.isascii() else None
    if not domain or " " in domain:  # else what normal_domain answers at once
        path = f"policies[{index}].policy.policy-domain"
        optional = policy_type == "no-policy-found" and _text(value, path, required=False) is None
        domain = None if optional else normal_domain(value, path)
    strings = _strings(get("policy-string"), index, ".policy.policy-string")
    strings = _tlsa_records(strings) if policy_type == "tlsa" else strings
    hosts = get("mx-host")
    try:  # a list of strings (nearly always): one comprehension; else as _strings reads it, or refuses it
        mx_hosts = [host.rstrip(".").lower() for host in map(str.strip, hosts) if host] if type(hosts) is list else None
    except TypeError:
        mx_hosts = None
    if mx_hosts is None and hosts is not None:
        mx_hosts = [host.rstrip(".").lower() for host in _strings(hosts, index, ".policy.mx-host")]
    if mx_hosts:
        return policy_type, domain, strings, mx_hosts, "mx-host"
    mx_hosts = policy_mx_patterns(strings, index, warnings) if policy_type == "sts" else []
    return policy_type, domain, strings, mx_hosts, "policy-string" if mx_hosts else None


def _policy(raw: Any, index: int, warnings: list[str]) -> dict[str, Any]:
    entry, entry_extra = raw, None
    if type(raw) is not dict or not _ENTRY_KEYS.issuperset(raw):
        entry, entry_extra = _part(raw, f"policies[{index}]", _ENTRY_KEYS)
    policy, policy_extra = entry.get("policy"), None
    if type(policy) is not dict or not _POLICY_KEYS.issuperset(policy):
        policy, policy_extra = _part(policy, f"policies[{index}].policy", _POLICY_KEYS, POLICY_ALIASES)
    policy_type, domain, strings, mx_hosts, mx_source = _described(policy, index, warnings)
    summary, summary_extra = entry.get("summary"), None
    if type(summary) is not dict or not _SUMMARY_KEYS.issuperset(summary):
        summary, summary_extra = _part(summary, f"policies[{index}].summary", _SUMMARY_KEYS)
    details = entry.get("failure-details")
    if type(details) is not list and details is not None:  # one object: a list of it
        if not isinstance(details, dict | list):
            raise ReportError(f"policies[{index}].failure-details must be a list, got {type(details).__name__}")
        details = [details] if isinstance(details, dict) else details
    successful, failed = summary.get("total-successful-session-count"), summary.get("total-failure-session-count")
    if type(successful) is not int or not 0 <= successful <= MAX_COUNT:
        successful = _count(successful, f"policies[{index}].summary.total-successful-session-count")
    if type(failed) is not int or not 0 <= failed <= MAX_COUNT:
        failed = _count(failed, f"policies[{index}].summary.total-failure-session-count")
    rows = [_failure_detail(d, index, i) for i, d in enumerate(details)] if details else []
    if rows and (listed := sum(map(_FAILED_SESSIONS, rows))) != failed:
        warnings.append(
            f"policies[{index}]: summary.total-failure-session-count is {failed} but the failure-details rows "
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
    report, report_extra = doc, None
    if not _REPORT_KEYS.issuperset(doc):
        report, report_extra = _part(doc, "", _REPORT_KEYS)
    date_range, date_extra = report.get("date-range"), None
    if type(date_range) is not dict or not _DATE_RANGE_KEYS.issuperset(date_range):
        date_range, date_extra = _part(date_range, "date-range", _DATE_RANGE_KEYS)
    policies = report.get("policies")
    if not isinstance(policies, list):
        raise ReportError(
            "policies is missing" if policies is None else f"policies must be a list, got {type(policies).__name__}"
        )
    get = report.get
    name, report_id, contact = get("organization-name"), get("report-id"), get("contact-info")
    name = (name.strip() if type(name) is str else "") or _text(name, "organization-name", required=True)
    report_id = (report_id.strip() if type(report_id) is str else "") or _text(report_id, "report-id", required=True)
    contact = (contact.strip() or None) if type(contact) is str else _text(contact, "contact-info", required=False)
    start = _timestamp(date_range.get("start-datetime"), "date-range.start-datetime")
    end = _timestamp(date_range.get("end-datetime"), "date-range.end-datetime")
    warnings: list[str] = []
    return {
        "organization_name": name,
        "report_id": report_id,
        "contact_info": contact,
        "start": start,
        "end": end,
        "policies": [_policy(policies[0], 0, warnings)]
        if len(policies) == 1
        else [_policy(p, i, warnings) for i, p in enumerate(policies)],
        "extra": _merged(("", report_extra), ("date-range.", date_extra)) if report_extra or date_extra else None,
        "warnings": warnings,
    }
