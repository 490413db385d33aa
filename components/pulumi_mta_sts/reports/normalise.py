"""A TLS-RPT report (RFC 8460 §4) as JSON → one normalised ``dict``.

Normalised form (keys are snake_case; times are UTC ``YYYY-MM-DDTHH:MM:SSZ``)::

    {"organization_name", "report_id", "contact_info", "start", "end",
     "policies": [{"policy_type", "policy_domain", "policy_strings", "mx_hosts",
                   "successful", "failed",
                   "failure_details": [{"result_type", "failed_session_count", "sending_mta_ip",
                                        "receiving_mx_hostname", "receiving_mx_helo", "receiving_ip",
                                        "additional_information", "failure_reason_code"}]}]}

What real senders send is tolerated: counts as strings, ``mx-host`` as one string,
``policy-string`` as one string, date-times without a zone (UTC), missing optional fields,
``no-policy-found`` without a domain, unknown result and policy types (kept, lowercased).
Anything that is not a report raises :class:`ReportError` naming the JSON path at fault.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .limits import ReportError

__all__ = ["FAILURE_DETAIL_FIELDS", "normalise_report"]

#: Optional string fields of a failure detail: (JSON key, normalised key).
FAILURE_DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("sending-mta-ip", "sending_mta_ip"),
    ("receiving-mx-hostname", "receiving_mx_hostname"),
    ("receiving-mx-helo", "receiving_mx_helo"),
    ("receiving-ip", "receiving_ip"),
    ("additional-information", "additional_information"),
    ("failure-reason-code", "failure_reason_code"),
)

_MISSING = object()


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
    if value is _MISSING or value is None:
        raise ReportError(f"{path} is missing")
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or not text.isascii():
            raise ReportError(f"{path} must be a count (a whole number), got {value!r}")
        number = int(text)
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise ReportError(f"{path} must be a count (a whole number), got {value!r}")
    if number < 0:
        raise ReportError(f"{path} must not be negative, got {number}")
    return number


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
    """A list of strings; one string is a one-element list; missing is empty."""
    if type(value) is list and all(type(item) is str and item.strip() == item and item for item in value):
        return value
    if value is _MISSING or value is None:
        return []
    if isinstance(value, str):
        return [line for line in (part.strip() for part in value.splitlines()) if line]
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


def _failure_detail(raw: Any, path: str) -> dict[str, Any]:
    detail = raw if type(raw) is dict else _object(raw, path)
    get = detail.get
    result_type = get("result-type")
    if type(result_type) is not str or not result_type.strip():
        result_type = _text(get("result-type", _MISSING), f"{path}.result-type", required=True)
    count = get("failed-session-count")
    if type(count) is not int or count < 0:
        count = _count(get("failed-session-count", _MISSING), f"{path}.failed-session-count")
    out: dict[str, Any] = {"result_type": str(result_type).strip().lower(), "failed_session_count": count}
    for key, name in FAILURE_DETAIL_FIELDS:
        value = get(key)
        if value is None and key == "additional-information":
            value = get("additional-info-uri")
        if value is None:
            out[name] = None
        elif type(value) is str:
            out[name] = value.strip() or None
        else:
            out[name] = _text(value, f"{path}.{key}", required=False)
    return out


def _summary_count(summary: dict[str, Any], key: str, path: str) -> int:
    value = summary.get(key, _MISSING)
    if type(value) is int and value >= 0:
        return value
    return _count(value, f"{path}.summary.{key}")


def _policy(raw: Any, path: str) -> dict[str, Any]:
    entry = _object(raw, path)
    policy = _object(entry.get("policy", _MISSING), f"{path}.policy")
    policy_type = _text(policy.get("policy-type", _MISSING), f"{path}.policy.policy-type", required=True)
    policy_type = (policy_type or "").lower()
    domain = _domain(
        policy.get("policy-domain", _MISSING),
        f"{path}.policy.policy-domain",
        required=policy_type != "no-policy-found",
    )
    mx = policy.get("mx-host", _MISSING)
    if mx is _MISSING:
        mx = policy.get("mx-host-pattern", _MISSING)
    summary = _object(entry.get("summary", _MISSING), f"{path}.summary")
    details_raw = entry.get("failure-details", _MISSING)
    if details_raw is _MISSING or details_raw is None:
        details_raw = []
    elif isinstance(details_raw, dict):
        details_raw = [details_raw]
    elif not isinstance(details_raw, list):
        raise ReportError(f"{path}.failure-details must be a list, got {type(details_raw).__name__}")
    return {
        "policy_type": policy_type,
        "policy_domain": domain,
        "policy_strings": _strings(policy.get("policy-string", _MISSING), f"{path}.policy.policy-string"),
        "mx_hosts": [h.rstrip(".").lower() for h in _strings(mx, f"{path}.policy.mx-host")],
        "successful": _summary_count(summary, "total-successful-session-count", path),
        "failed": _summary_count(summary, "total-failure-session-count", path),
        "failure_details": [_failure_detail(d, f"{path}.failure-details[{i}]") for i, d in enumerate(details_raw)],
    }


def normalise_report(doc: Any) -> dict[str, Any]:
    """Validate and normalise one decoded report (see the module docstring)."""
    if not isinstance(doc, dict):
        raise ReportError(f"a report is a JSON object; this is a JSON {type(doc).__name__}")
    if "organization-name" not in doc and "policies" not in doc and "report-id" not in doc:
        raise ReportError("not a TLS-RPT report: no organization-name, report-id or policies")
    date_range = _object(doc.get("date-range", _MISSING), "date-range")
    policies_raw = doc.get("policies", _MISSING)
    if policies_raw is _MISSING or policies_raw is None:
        raise ReportError("policies is missing")
    if not isinstance(policies_raw, list):
        raise ReportError(f"policies must be a list, got {type(policies_raw).__name__}")
    return {
        "organization_name": _text(doc.get("organization-name", _MISSING), "organization-name", required=True),
        "report_id": _text(doc.get("report-id", _MISSING), "report-id", required=True),
        "contact_info": _text(doc.get("contact-info", _MISSING), "contact-info", required=False),
        "start": _timestamp(date_range.get("start-datetime", _MISSING), "date-range.start-datetime"),
        "end": _timestamp(date_range.get("end-datetime", _MISSING), "date-range.end-datetime"),
        "policies": [_policy(p, f"policies[{i}]") for i, p in enumerate(policies_raw)],
    }
