"""DNS names and TXT record values for MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3).

Rendering (what we publish) and parsing (what a sender does with what it finds) live here,
with the RFC rules a sender applies. :func:`parse_sts_records` and :func:`parse_tlsrpt_records`
are the one rule every reader of live records uses (``check``, ``plan``'s live comparison,
``init``'s survey, the stack program's look at hand-made records, the policy pack):

- "If multiple TXT records for _mta-sts are returned by the resolver, records that do not begin
  with "v=STSv1;" are discarded" (RFC 8461 §3.1; RFC 8460 §3 says the same of ``v=TLSRPTv1;``).
  With several answers, the literal text counts: ``v=STSv1``, ``v=STSv1 id=a`` and
  ``v=STSv1 ;id=a`` are discarded (they are not a second record). If the number left is not
  exactly one, the domain has no policy.
- The discard rule is said of several answers. A single answer is judged by the ABNF alone,
  ``sts-field-delim = *WSP ";" *WSP`` (``WSP`` is a space or a tab, RFC 5234), so
  ``v=STSv1 ;id=a`` alone is a valid record; it comes with a warning, because senders that apply
  the discard rule to a single answer too drop it.

A repeated field: in ``_mta-sts`` the id is the first field that is an ``sts-id``
(``id=`` + 1 to 32 letters and digits); an ``id=`` field whose value is no ``sts-id`` (``id=x-y``)
can only be an ``sts-extension`` named ``id`` and is ignored, and a second ``sts-id`` is
ignored because "all entries except for the first SHALL be ignored" (RFC 8461 §3.2). In
``_smtp._tls`` the first ``rua=`` is the rua; a later one is ignored the same way. Both cases
are warnings: some parsers keep the last value instead.

A ``rua`` is published exactly as given, so :func:`validate_rua` refuses, rather than encodes,
anything a reader could split or mistake (``;``, ``,``, ``!``, white space, controls, quotes,
backslashes, non-ASCII: a U-label domain is refused with its A-label form in the message).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .acceptance import WELL_KNOWN_PATH
from .errors import InputError, Problem
from .hostnames import normalize_hostname
from .policy import Policy
from .txt_values import describe_character, txt_size_problems, unsafe_character

__all__ = [
    "DnsRecord",
    "StsRecord",
    "StsRecordSet",
    "TlsRptRecord",
    "TlsRptRecordSet",
    "parse_sts_records",
    "parse_tlsrpt_records",
    "policy_host",
    "policy_url",
    "records_for",
    "sts_record_name",
    "sts_record_value",
    "tlsrpt_record_name",
    "tlsrpt_record_value",
    "validate_rua",
]

STS_VERSION = "v=STSv1"
TLSRPT_VERSION = "v=TLSRPTv1"

# Every pattern is used with fullmatch: "$" would also match before a final "\n".
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_STS_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_TLSRPT_EXT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
# %x21-3A / %x3C / %x3E-7E : VCHAR except ';' and '='
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
#: RFC 8461 §3.1 ``sts-field-delim`` / RFC 8460 §3 ``field-delim``: ``*WSP ";" *WSP`` (WSP: space, tab).
_DELIM = re.compile(r"[ \t]*;[ \t]*")
# RFC 5322 dot-atom local part (the form report mailboxes use).
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
#: Characters a ``rua`` may not hold, with the percent-encoding to use where one exists: the
#: record's field and list separators (``;``, ``,``), ``!`` (RFC 8460 §3: "commas ... and
#: exclamation points ... MUST be encoded"), and quotes and backslashes (TXT quoting).
_RUA_FORBIDDEN = {";": "%3B", ",": "%2C", "!": "%21", '"': "%22", "'": "%27", "\\": "%5C"}


def policy_host(domain: str) -> str:
    """``mta-sts.<domain>``: the host that serves the policy."""
    return f"mta-sts.{domain}"


def policy_url(domain: str) -> str:
    """``https://mta-sts.<domain>/.well-known/mta-sts.txt``."""
    return f"https://{policy_host(domain)}{WELL_KNOWN_PATH}"


def sts_record_name(domain: str) -> str:
    """``_mta-sts.<domain>``."""
    return f"_mta-sts.{domain}"


def tlsrpt_record_name(domain: str) -> str:
    """``_smtp._tls.<domain>``."""
    return f"_smtp._tls.{domain}"


def sts_record_value(policy_id: str) -> str:
    """``v=STSv1; id=<id>;``. Raises :class:`InputError` for an id that is not 1-32 alphanumerics."""
    if not isinstance(policy_id, str) or not _ID.fullmatch(policy_id):
        raise InputError([Problem("id", policy_id, "must be 1 to 32 letters and digits")])
    return f"{STS_VERSION}; id={policy_id};"


def _mailto_problems(uri: str, rest: str, field: str) -> list[Problem]:
    """A ``mailto:`` rua: exactly one address (dot-atom local part of at most 64 characters and a
    valid mail domain), no query."""
    address = unquote(rest)
    if "?" in address:
        return [Problem(field, uri, f"{uri!r} has a query; give only the address, e.g. mailto:tlsrpt@example.com")]
    local, at, domain = address.rpartition("@")
    if not at or not local or not _LOCAL_PART.fullmatch(local) or len(local) > 64:
        return [Problem(field, uri, f"{uri!r} is not a valid mail address; use mailto:name@example.com")]
    _, problems = normalize_hostname(domain, field)
    if problems:
        return [Problem(field, uri, f"{uri!r} has an invalid mail domain: {problems[0].reason}")]
    return []


def _https_problems(uri: str, rest: str, field: str) -> list[Problem]:
    """An ``https:`` rua: a valid host, a valid port if any, no credentials."""
    parts = urlsplit(uri)
    if not rest.startswith("//") or not parts.hostname:
        return [Problem(field, uri, f"{uri!r} has no host; use https://host/path")]
    if parts.username or parts.password:
        return [Problem(field, uri, f"{uri!r} carries credentials; remove them")]
    try:
        parts.port  # noqa: B018 - raises on an invalid port
    except ValueError:
        return [Problem(field, uri, f"{uri!r} has an invalid port")]
    _, problems = normalize_hostname(parts.hostname, field)
    if problems:
        return [Problem(field, uri, f"{uri!r} has an invalid host: {problems[0].reason}")]
    return []


def _a_label_fix(uri: str) -> str:
    """`` (A-label form: mailto:r@xn--...)`` when a valid U-label domain is what makes ``uri``
    non-ASCII; ``""`` otherwise."""
    if uri.lower().startswith("mailto:"):
        host = uri.rpartition("@")[2]
    else:
        host = urlsplit(uri).netloc.rpartition("@")[2].partition(":")[0]
    normal, problems = normalize_hostname(host, "rua") if host else (None, [])
    fixed = uri.replace(host, normal, 1) if normal is not None and not problems else ""
    return f" (A-label form: {fixed})" if fixed and fixed.isascii() else ""


def _rua_character_problems(uri: str, field: str) -> list[Problem]:
    """A ``rua`` is published verbatim: refuse any character a reader could split it at or
    mistake (white space, controls, separators, quotes, backslashes, non-ASCII)."""
    bad = unsafe_character(uri)
    if bad is not None or " " in uri:
        shown = describe_character(bad) if bad is not None else "a space"
        return [Problem(field, uri, f"{uri!r} contains {shown}; remove it (a rua is published exactly as given)")]
    for char, encoded in _RUA_FORBIDDEN.items():
        if char in uri:
            return [
                Problem(
                    field,
                    uri,
                    f"{uri!r} contains {char!r}, which readers of the record take for a separator or quote; "
                    f"percent-encode it ({encoded}) or remove it",
                )
            ]
    if not uri.isascii():
        return [
            Problem(field, uri, f"{uri!r} is not ASCII; a rua is a URI: write domains as A-labels{_a_label_fix(uri)}")
        ]
    return []


def validate_rua(uri: object, field: str = "rua") -> list[Problem]:
    """Problems with one TLS-RPT ``rua`` URI: ``mailto:`` with one valid address, or an
    ``https:`` URL with a host; printable ASCII only, without ``;``, ``,``, ``!``, quotes or
    backslashes (RFC 8460 §3: commas and ``!`` must be percent-encoded)."""
    if not isinstance(uri, str) or not uri.strip():
        return [Problem(field, uri, "must be a mailto: or https: URI, e.g. mailto:tlsrpt@example.com")]
    problems = _rua_character_problems(uri, field)
    if problems:
        return problems
    text = uri
    scheme, _, rest = text.partition(":")
    checks = {"mailto": _mailto_problems, "https": _https_problems}
    check = checks.get(scheme.lower())
    if check is None:
        return [Problem(field, uri, f"{uri!r} must start with mailto: or https: (TLS-RPT reports go by mail or HTTPS)")]
    return check(uri, rest, field)


def tlsrpt_record_value(ruas: Sequence[str], *, check: bool = True) -> str:
    """``v=TLSRPTv1; rua=<uri>[,<uri>]`` (duplicates dropped, order kept). Raises
    :class:`InputError` when the list is empty or (unless ``check`` is false, for URIs that are
    not the user's, e.g. a cloud endpoint known only after deploy) a URI is invalid."""
    problems: list[Problem] = []
    if not ruas:
        problems.append(Problem("rua", list(ruas), "needs at least one mailto: or https: URI"))
    for index, uri in enumerate(ruas if check else ()):
        problems.extend(validate_rua(uri, f"rua[{index}]"))
    if problems:
        raise InputError(problems)
    unique = list(dict.fromkeys(u.strip() for u in ruas))
    value = f"{TLSRPT_VERSION}; rua={','.join(unique)}"
    size_problems = txt_size_problems(value, "rua")
    if size_problems:
        raise InputError(size_problems)
    return value


@dataclass(frozen=True)
class DnsRecord:
    """One DNS record to publish: fully qualified ``name`` (no trailing dot), ``type``, ``value``."""

    name: str
    type: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "value": self.value}


def records_for(domain: str, policy: Policy, ruas: Sequence[str]) -> list[DnsRecord]:
    """The TXT records for ``domain``: ``_mta-sts`` always, ``_smtp._tls`` when ``ruas`` is not empty."""
    records = [DnsRecord(sts_record_name(domain), "TXT", sts_record_value(policy.id))]
    if ruas:
        records.append(DnsRecord(tlsrpt_record_name(domain), "TXT", tlsrpt_record_value(ruas)))
    return records


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class StsRecord:
    id: str
    extensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TlsRptRecord:
    rua: tuple[str, ...]
    extensions: tuple[tuple[str, str], ...] = ()


@dataclass
class StsRecordSet:
    """What a sender makes of the TXT records at ``_mta-sts.<domain>``: ``record`` is the policy
    indicator, or ``None`` when the domain has no (usable) MTA-STS record; ``candidates`` are the
    records senders keep (module docstring: with several answers those that begin with
    ``v=STSv1;``, a single answer when it begins as the ABNF allows); ``problems`` say why there
    is no record; ``warnings`` what senders ignore (look-alike records, repeated fields) or
    disagree on. ``literal_readers_drop`` is true when the record is used only because it is the
    single answer: it does not begin with the literal ``v=STSv1;``, and senders that apply the
    discard rule to a single answer too see no record."""

    record: StsRecord | None
    candidates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    literal_readers_drop: bool = False


@dataclass
class TlsRptRecordSet:
    """As :class:`StsRecordSet`, for ``v=TLSRPTv1`` at ``_smtp._tls.<domain>`` (RFC 8460 §3)."""

    record: TlsRptRecord | None
    candidates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    literal_readers_drop: bool = False


@dataclass(frozen=True)
class _Kind:
    """One kind of record: its version tag, where the RFC says how senders select it, and what a
    domain without one lacks."""

    version: str
    rfc: str
    missing: str
    lacks: str


_STS = _Kind(STS_VERSION, "RFC 8461 §3.1", "MTA-STS; the domain has no policy", "policy")
_TLSRPT = _Kind(TLSRPT_VERSION, "RFC 8460 §3", "TLS reporting; no reports will be sent", "TLS reporting")


def _begins_literally(text: str, version: str) -> bool:
    """Whether ``text`` begins with ``version;``, the literal text of the discard rule."""
    return text.startswith(version + ";")


def _begins_as_the_grammar_allows(text: str, version: str) -> bool:
    """Whether ``text`` begins with ``version`` then ``*WSP ";"`` (``sts-field-delim``), as every
    valid record does."""
    return text.startswith(version) and _DELIM.match(text, len(version)) is not None


def _is_candidate(text: str, version: str, answers: int) -> bool:
    """RFC 8461 §3.1 / RFC 8460 §3: "If multiple TXT records ... are returned by the resolver,
    records that do not begin with "v=STSv1;" are discarded" (the literal text, semicolon
    included). The rule is said of several answers: a single one is judged by the ABNF alone."""
    if answers == 1:
        return _begins_as_the_grammar_allows(text, version)
    return _begins_literally(text, version)


def _lookalike_warnings(txts: Sequence[str], kind: _Kind, candidates: Sequence[str]) -> list[Problem]:
    """Records that look like ``kind`` records but are not candidates: senders discard them (they
    are not a second record), so say so."""
    version = kind.version
    warnings = []
    for text in txts:
        if text[: len(version)].lower() != version.lower() or text in candidates:
            continue
        why = ""
        if _begins_as_the_grammar_allows(text, version):
            why = f" (white space before the ';': with several TXT records at the name, {kind.rfc} discards it)"
        warnings.append(
            Problem(
                "record",
                text,
                f"{text!r} does not begin with '{version};'{why}, so senders ignore it; "
                f"write '{version}; ...' or delete it",
            )
        )
    return warnings


def _literal_readers_warning(text: str, kind: _Kind) -> Problem:
    """The single answer that begins ``version *WSP ;``: valid, but not for every sender."""
    version = kind.version
    return Problem(
        "record",
        text,
        f"{text!r} has white space before the first ';': the ABNF allows it and, as the only TXT record at "
        f"the name, senders that follow {kind.rfc} use it, but senders that read its 'records that do not "
        f'begin with "{version};" are discarded\' literally drop it and see no {kind.lacks}; '
        f"write '{version};' with nothing before the ';'",
    )


def _split_fields(text: str, version: str) -> tuple[list[str], list[Problem]]:
    head, *fields = _DELIM.split(text[len(version) :])
    assert head == "", "a candidate begins with the version, then *WSP ';'"
    problems: list[Problem] = []
    if fields and fields[-1] == "":
        fields.pop()  # the optional trailing ';'
    if any(f == "" for f in fields):
        problems.append(Problem("record", text, "has an empty field (';;'); remove it"))
    return [f for f in fields if f], problems


def _select(txts: Sequence[str], kind: _Kind) -> tuple[str | None, list[str], list[Problem]]:
    """The one record senders use (or ``None``), the candidates, and why there is none."""
    version = kind.version
    candidates = [t for t in txts if _is_candidate(t, version, len(txts))]
    if not candidates:
        return None, candidates, [Problem("record", None, f"no TXT record begins with '{version};'; {kind.missing}")]
    if len(candidates) > 1:
        return (
            None,
            candidates,
            [
                Problem(
                    "record",
                    candidates,
                    f"{len(candidates)} TXT records begin with '{version};'; senders then ignore the domain's "
                    f"{kind.missing.split(';')[0]} entirely — keep exactly one",
                )
            ],
        )
    return candidates[0], candidates, []


def _repeat_warning(name: str, value: str, used: str) -> Problem:
    return Problem(
        name,
        value,
        f"'{name}={value}' repeats the field; senders that follow the RFC use the first ({used!r}), "
        "others the last: keep one",
    )


def _id_field_warning(value: str, record_id: str | None) -> Problem:
    """An ``id=`` field that is not the id: a second ``sts-id`` (ignored, RFC 8461 §3.2), or a
    value that is no ``sts-id`` and so can only be an extension named ``id``."""
    if _ID.fullmatch(value):
        return _repeat_warning("id", value, record_id or "")
    return Problem(
        "id",
        value,
        f"'id={value}' is no id (1 to 32 letters and digits), so it can only be an extension field "
        "named 'id' that senders ignore; parsers that keep the last 'id=' read it as the id: delete it",
    )


def _sts_fields(fields: list[str]) -> tuple[str | None, list[tuple[str, str]], list[Problem], list[Problem]]:
    """The id, the extensions, the problems and the warnings of a ``v=STSv1;`` record's fields.
    The id is the first ``sts-id`` field; other ``id=`` fields are ignored (module docstring)."""
    record_id: str | None = None
    extensions: list[tuple[str, str]] = []
    problems: list[Problem] = []
    other_ids: list[str] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "id" and _ID.fullmatch(value) and record_id is None:
            record_id = value
        elif not eq or not _STS_EXT_NAME.fullmatch(key) or not _EXT_VALUE.fullmatch(value):
            problems.append(Problem("record", item, f"{item!r} is not a valid 'name=value' field"))
        elif key == "id":
            other_ids.append(value)
        else:
            extensions.append((key, value))
    if record_id is None:
        shown = next((v for k, _, v in (f.partition("=") for f in fields) if k == "id"), None)
        reason = f"{shown!r} is not 1 to 32 letters and digits" if shown is not None else "is missing"
        problems.append(Problem("id", shown, f"{reason}; the record must be 'v=STSv1; id=<id>;'"))
        return None, extensions, problems, []
    return record_id, extensions, problems, [_id_field_warning(v, record_id) for v in other_ids]


def _literal_readers_drop(txts: Sequence[str], text: str, kind: _Kind) -> bool:
    """Whether the record used is the single answer that only the ABNF accepts."""
    return len(txts) == 1 and not _begins_literally(text, kind.version)


def parse_sts_records(txts: Sequence[str]) -> StsRecordSet:
    """Apply RFC 8461 §3.1 to the TXT strings found at ``_mta-sts.<domain>`` (each record's
    character-strings already joined): of several, discard records not beginning with
    ``v=STSv1;``; exactly one must be left (a single answer is judged by the ABNF alone), with a
    valid ``id``."""
    text, candidates, problems = _select(txts, _STS)
    result = StsRecordSet(None, candidates, problems, _lookalike_warnings(txts, _STS, candidates))
    if text is None:
        return result
    fields, problems = _split_fields(text, STS_VERSION)
    record_id, extensions, field_problems, warnings = _sts_fields(fields)
    result.problems = problems + field_problems
    result.warnings += warnings
    if not result.problems and record_id is not None:
        result.record = StsRecord(record_id, tuple(extensions))
        if _literal_readers_drop(txts, text, _STS):
            result.literal_readers_drop = True
            result.warnings.insert(0, _literal_readers_warning(text, _STS))
    return result


def _tlsrpt_fields(
    fields: list[str],
) -> tuple[list[str] | None, list[tuple[str, str]], list[Problem], list[Problem]]:
    """The rua, the extensions, the problems and the warnings of a ``v=TLSRPTv1;`` record's
    fields. The first ``rua=`` is the rua; a later one is ignored (module docstring)."""
    rua: list[str] | None = None
    extensions: list[tuple[str, str]] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "rua" and rua is None:
            rua = [u.strip(" \t") for u in value.split(",")]
            for index, uri in enumerate(rua):
                problems.extend(validate_rua(uri, f"rua[{index}]"))
        elif key == "rua":
            warnings.append(_repeat_warning("rua", value, ",".join(rua or [])))
        elif not eq or not _TLSRPT_EXT_NAME.fullmatch(key) or not _EXT_VALUE.fullmatch(value):
            problems.append(Problem("record", item, f"{item!r} is not a valid 'name=value' field"))
        else:
            extensions.append((key, value))
    if rua is None:
        problems.append(Problem("rua", None, "is missing; the record must be 'v=TLSRPTv1; rua=mailto:...'"))
    return rua, extensions, problems, warnings


def parse_tlsrpt_records(txts: Sequence[str]) -> TlsRptRecordSet:
    """Apply RFC 8460 §3 to the TXT strings found at ``_smtp._tls.<domain>``: of several, discard
    records not beginning with ``v=TLSRPTv1;``; exactly one must be left (a single answer is
    judged by the ABNF alone), with a ``rua`` of valid URIs."""
    text, candidates, problems = _select(txts, _TLSRPT)
    result = TlsRptRecordSet(None, candidates, problems, _lookalike_warnings(txts, _TLSRPT, candidates))
    if text is None:
        return result
    fields, problems = _split_fields(text, TLSRPT_VERSION)
    rua, extensions, field_problems, warnings = _tlsrpt_fields(fields)
    result.problems = problems + field_problems
    result.warnings += warnings
    if not result.problems and rua is not None:
        result.record = TlsRptRecord(tuple(rua), tuple(extensions))
        if _literal_readers_drop(txts, text, _TLSRPT):
            result.literal_readers_drop = True
            result.warnings.insert(0, _literal_readers_warning(text, _TLSRPT))
    return result
