"""DNS names and TXT record values for MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3).

What we publish, and the one rule every reader of live records follows: of several answers, those
not beginning with the literal ``v=STSv1;`` are discarded and exactly one must be left; a single
answer is judged by the ABNF alone (``*WSP ";"``), with a warning (docs/standards.md). A ``rua`` is
published as given, so :func:`validate_rua` refuses, rather than encodes, anything a reader could split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urlsplit

from .acceptance import WELL_KNOWN_PATH
from .errors import InputError, Problem
from .hostnames import normalize_hostname
from .policy import _EXT_NAME, Policy
from .txt_values import describe_character, txt_size_problems, unsafe_character

STS_VERSION = "v=STSv1"
TLSRPT_VERSION = "v=TLSRPTv1"

# Every pattern is used with fullmatch: "$" would also match before a final "\n".
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_TLSRPT_EXT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
# %x21-3A / %x3C / %x3E-7E : VCHAR except ';' and '='
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
#: RFC 8461 §3.1 ``sts-field-delim`` / RFC 8460 §3 ``field-delim``.
_DELIM = re.compile(r"[ \t]*;[ \t]*")
# RFC 5322 dot-atom local part (the form report mailboxes use).
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
#: Characters a ``rua`` may not hold (separators, RFC 8460 §3's ``!``, TXT quoting), and their encoding.
_RUA_FORBIDDEN = {";": "%3B", ",": "%2C", "!": "%21", '"': "%22", "'": "%27", "\\": "%5C"}


def policy_host(domain: str) -> str:
    return f"mta-sts.{domain}"


def policy_url(domain: str) -> str:
    return f"https://{policy_host(domain)}{WELL_KNOWN_PATH}"


def sts_record_name(domain: str) -> str:
    return f"_mta-sts.{domain}"


def tlsrpt_record_name(domain: str) -> str:
    return f"_smtp._tls.{domain}"


def sts_record_value(policy_id: str) -> str:
    """``v=STSv1; id=<id>;``; :class:`InputError` for an id that is not 1-32 letters and digits."""
    if not isinstance(policy_id, str) or not _ID.fullmatch(policy_id):
        raise InputError([Problem("id", policy_id, "must be 1 to 32 letters and digits")])
    return f"{STS_VERSION}; id={policy_id};"


def _mailto_problem(uri: str, rest: str) -> str | None:
    address = unquote(rest)
    if "?" in address:
        return f"{uri!r} has a query; give only the address, e.g. mailto:tlsrpt@example.com"
    local, at, domain = address.rpartition("@")
    if not at or not local or not _LOCAL_PART.fullmatch(local) or len(local) > 64:
        return f"{uri!r} is not a valid mail address; use mailto:name@example.com"
    _, problems = normalize_hostname(domain, "rua")
    return f"{uri!r} has an invalid mail domain: {problems[0].reason}" if problems else None


def _https_problem(uri: str, rest: str) -> str | None:
    try:  # an unbalanced '[' or ']' (an IPv6 literal's brackets) or a bad port raises
        parts = urlsplit(uri)
        parts.port  # noqa: B018
    except ValueError:
        return f"{uri!r} has an invalid host or port; use https://host/path"
    if not rest.startswith("//") or not parts.hostname:
        return f"{uri!r} has no host; use https://host/path"
    if parts.username or parts.password:
        return f"{uri!r} carries credentials; remove them"
    _, problems = normalize_hostname(parts.hostname, "rua")
    return f"{uri!r} has an invalid host: {problems[0].reason}" if problems else None


def _a_label_fix(uri: str) -> str:
    """`` (A-label form: ...)`` when a valid U-label domain is what makes ``uri`` non-ASCII."""
    if uri.lower().startswith("mailto:"):
        host = uri.rpartition("@")[2]
    else:
        host = re.split(r"[/?#]", uri.partition("//")[2])[0].rpartition("@")[2].partition(":")[0]  # never raises
    normal, problems = normalize_hostname(host, "rua") if host else (None, [])
    fixed = uri.replace(host, normal, 1) if normal is not None and not problems else ""
    return f" (A-label form: {fixed})" if fixed and fixed.isascii() else ""


def _character_problem(uri: str) -> str | None:
    bad = unsafe_character(uri)
    if bad is not None or " " in uri:
        shown = describe_character(bad) if bad is not None else "a space"
        return f"{uri!r} contains {shown}; remove it (a rua is published exactly as given)"
    for char, encoded in _RUA_FORBIDDEN.items():
        if char in uri:
            return (
                f"{uri!r} contains {char!r}, which readers of the record take for a separator or quote; "
                f"percent-encode it ({encoded}) or remove it"
            )
    if not uri.isascii():
        return f"{uri!r} is not ASCII; a rua is a URI: write domains as A-labels{_a_label_fix(uri)}"
    return None


def validate_rua(uri: object, field: str = "rua") -> list[Problem]:
    """Problems with one TLS-RPT ``rua``: ``mailto:`` one address or ``https:`` a host (RFC 8460 §3)."""
    if not isinstance(uri, str) or not uri.strip():
        return [Problem(field, uri, "must be a mailto: or https: URI, e.g. mailto:tlsrpt@example.com")]
    scheme, _, rest = uri.partition(":")
    check = {"mailto": _mailto_problem, "https": _https_problem}.get(scheme.lower())
    no_scheme = f"{uri!r} must start with mailto: or https: (TLS-RPT reports go by mail or HTTPS)"
    reason = _character_problem(uri) or (check(uri, rest) if check else no_scheme)
    return [] if reason is None else [Problem(field, uri, reason)]


def tlsrpt_record_value(ruas: Sequence[str], *, check: bool = True) -> str:
    """``v=TLSRPTv1; rua=<uri>[,<uri>]``; ``check`` false: URIs not the user's, known after deploy."""
    problems: list[Problem] = []
    if not ruas:
        problems.append(Problem("rua", list(ruas), "needs at least one mailto: or https: URI"))
    for index, uri in enumerate(ruas if check else ()):
        problems.extend(validate_rua(uri, f"rua[{index}]"))
    if problems:
        raise InputError(problems)
    value = f"{TLSRPT_VERSION}; rua={','.join(dict.fromkeys(u.strip() for u in ruas))}"
    if size_problems := txt_size_problems(value, "rua"):
        raise InputError(size_problems)
    return value


@dataclass(frozen=True)
class DnsRecord:
    """One DNS record to publish (``name`` fully qualified, no trailing dot)."""

    name: str
    type: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def records_for(domain: str, policy: Policy, ruas: Sequence[str]) -> list[DnsRecord]:
    records = [DnsRecord(sts_record_name(domain), "TXT", sts_record_value(policy.id))]
    if ruas:
        records.append(DnsRecord(tlsrpt_record_name(domain), "TXT", tlsrpt_record_value(ruas)))
    return records


@dataclass(frozen=True)
class StsRecord:
    id: str
    extensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TlsRptRecord:
    rua: tuple[str, ...]
    extensions: tuple[tuple[str, str], ...] = ()


R = TypeVar("R", StsRecord, TlsRptRecord)
#: What a record's fields say: the record (``None``: no id or rua), the problems, the warnings.
Read = tuple[R | None, list[Problem], list[Problem]]


@dataclass
class _RecordSet(Generic[R]):
    record: R | None
    candidates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    literal_readers_drop: bool = False


@dataclass
class StsRecordSet(_RecordSet[StsRecord]):
    """``literal_readers_drop``: only the ABNF accepts the single answer (module docs)."""


@dataclass
class TlsRptRecordSet(_RecordSet[TlsRptRecord]):
    """As :class:`StsRecordSet`, for ``v=TLSRPTv1`` at ``_smtp._tls.<domain>`` (RFC 8460 §3)."""


def _repeat_warning(name: str, value: str, used: str) -> Problem:
    reason = f"repeats the field; senders that follow the RFC use the first ({used!r}), others the last: keep one"
    return Problem(name, value, f"'{name}={value}' {reason}")


def _invalid_field(item: str) -> Problem:
    return Problem("record", item, f"{item!r} is not a valid 'name=value' field")


def _sts_fields(fields: list[str]) -> Read[StsRecord]:
    """Its id is the first ``sts-id``; another ``id=`` is a repeat or an extension named ``id``."""
    record_id: str | None = None
    extensions: list[tuple[str, str]] = []
    problems: list[Problem] = []
    other_ids: list[str] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "id" and _ID.fullmatch(value) and record_id is None:
            record_id = value
        elif not eq or not _EXT_NAME.fullmatch(key) or not _EXT_VALUE.fullmatch(value):
            problems.append(_invalid_field(item))
        elif key == "id":
            other_ids.append(value)
        else:
            extensions.append((key, value))
    if record_id is None:
        shown = next((v for k, _, v in (f.partition("=") for f in fields) if k == "id"), None)
        reason = f"{shown!r} is not 1 to 32 letters and digits" if shown is not None else "is missing"
        return None, [*problems, Problem("id", shown, f"{reason}; the record must be 'v=STSv1; id=<id>;'")], []
    no_id = (
        "is no id (1 to 32 letters and digits), so it can only be an extension field named 'id' that senders "
        "ignore; parsers that keep the last 'id=' read it as the id: delete it"
    )
    warnings = [
        _repeat_warning("id", v, record_id) if _ID.fullmatch(v) else Problem("id", v, f"'id={v}' {no_id}")
        for v in other_ids
    ]
    return StsRecord(record_id, tuple(extensions)), problems, warnings


def _tlsrpt_fields(fields: list[str]) -> Read[TlsRptRecord]:
    rua: list[str] | None = None
    extensions: list[tuple[str, str]] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "rua" and rua is None:
            rua = [u.strip(" \t") for u in value.split(",")]
            if value != value.strip(" \t"):  # RFC 8460 §3: WSP only around the commas
                problems.append(_invalid_field(item))
            for index, uri in enumerate(rua):
                problems.extend(validate_rua(uri, f"rua[{index}]"))
        elif key == "rua":
            warnings.append(_repeat_warning("rua", value, ",".join(rua or [])))
        elif not eq or not _TLSRPT_EXT_NAME.fullmatch(key) or not _EXT_VALUE.fullmatch(value):
            problems.append(_invalid_field(item))
        else:
            extensions.append((key, value))
    if rua is None:
        problems.append(Problem("rua", None, "is missing; the record must be 'v=TLSRPTv1; rua=mailto:...'"))
        return None, problems, warnings
    return TlsRptRecord(tuple(rua), tuple(extensions)), problems, warnings


@dataclass(frozen=True)
class _Kind(Generic[R]):
    """One kind of record: its version tag, the RFC section, what a domain without one lacks."""

    version: str
    rfc: str
    missing: str
    lacks: str
    read: Callable[[list[str]], Read[R]]


_STS = _Kind(STS_VERSION, "RFC 8461 §3.1", "MTA-STS; the domain has no policy", "policy", _sts_fields)
_TLSRPT = _Kind(
    TLSRPT_VERSION, "RFC 8460 §3", "TLS reporting; no reports will be sent", "TLS reporting", _tlsrpt_fields
)


def _begins_literally(text: str, version: str) -> bool:
    return text.startswith(version + ";")


def _begins_as_the_grammar_allows(text: str, version: str) -> bool:
    return text.startswith(version) and _DELIM.match(text, len(version)) is not None


def _lookalike_warnings(txts: Sequence[str], kind: _Kind[R], candidates: Sequence[str]) -> list[Problem]:
    version = kind.version
    warnings = []
    for text in txts:
        if text[: len(version)].lower() != version.lower() or text in candidates:
            continue
        why = ""
        if _begins_as_the_grammar_allows(text, version):
            why = f" (white space before the ';': with several TXT records at the name, {kind.rfc} discards it)"
        reason = (
            f"{text!r} does not begin with '{version};'{why}, so senders ignore it; write '{version}; ...' or delete it"
        )
        warnings.append(Problem("record", text, reason))
    return warnings


def _literal_readers_warning(text: str, kind: _Kind[R]) -> Problem:
    version = kind.version
    reason = (
        f"{text!r} has white space before the first ';': the ABNF allows it and, as the only TXT record at "
        f"the name, senders that follow {kind.rfc} use it, but senders that read its 'records that do not "
        f'begin with "{version};" are discarded\' literally drop it and see no {kind.lacks}; '
        f"write '{version};' with nothing before the ';'"
    )
    return Problem("record", text, reason)


def _select(txts: Sequence[str], kind: _Kind[R]) -> tuple[str | None, list[str], list[Problem]]:
    version = kind.version
    keep = _begins_as_the_grammar_allows if len(txts) == 1 else _begins_literally
    candidates = [t for t in txts if keep(t, version)]
    if not candidates:
        return None, candidates, [Problem("record", None, f"no TXT record begins with '{version};'; {kind.missing}")]
    if len(candidates) > 1:
        reason = (
            f"{len(candidates)} TXT records begin with '{version};'; senders then ignore the domain's "
            f"{kind.missing.split(';')[0]} entirely — keep exactly one"
        )
        return None, candidates, [Problem("record", candidates, reason)]
    return candidates[0], candidates, []


S = TypeVar("S", bound=_RecordSet[Any])


def _parse(txts: Sequence[str], kind: _Kind[R], result: S) -> S:
    text, result.candidates, result.problems = _select(txts, kind)
    result.warnings = _lookalike_warnings(txts, kind, result.candidates)
    if text is None:
        return result
    head, *fields = _DELIM.split(text[len(kind.version) :])
    assert head == "", "a candidate begins with the version, then *WSP ';'"
    if fields and fields[-1] == "":
        fields.pop()  # the optional trailing ';'
    empty = [Problem("record", text, "has an empty field (';;'); remove it")] if "" in fields else []
    record, problems, warnings = kind.read([f for f in fields if f])
    result.problems = empty + problems
    result.warnings += warnings
    if not result.problems and record is not None:
        result.record = record
        if len(txts) == 1 and not _begins_literally(text, kind.version):
            result.literal_readers_drop = True
            result.warnings.insert(0, _literal_readers_warning(text, kind))
    return result


def parse_sts_records(txts: Sequence[str]) -> StsRecordSet:
    """RFC 8461 §3.1 applied to the TXT strings at ``_mta-sts.<domain>`` (module docs)."""
    return _parse(txts, _STS, StsRecordSet(None))


def parse_tlsrpt_records(txts: Sequence[str]) -> TlsRptRecordSet:
    """RFC 8460 §3 applied to the TXT strings at ``_smtp._tls.<domain>``."""
    return _parse(txts, _TLSRPT, TlsRptRecordSet(None))
