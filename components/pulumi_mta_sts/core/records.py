"""DNS names and TXT record values for MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3).

Rendering (what we publish) and parsing (what a sender does with what it finds) live here,
with the RFC rules a sender applies: TXT records at the name that do not start with the version
tag are discarded, and if the number left is not exactly one, the domain has no policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .acceptance import WELL_KNOWN_PATH
from .errors import InputError, Problem
from .hostnames import normalize_hostname
from .policy import Policy

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

_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_STS_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_TLSRPT_EXT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
# %x21-3A / %x3C / %x3E-7E : VCHAR except ';' and '='
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_DELIM = re.compile(r"[ \t]*;[ \t]*")
# RFC 5322 dot-atom local part (the form report mailboxes use).
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


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
    if not _ID.match(policy_id):
        raise InputError([Problem("id", policy_id, "must be 1 to 32 letters and digits")])
    return f"{STS_VERSION}; id={policy_id};"


def _mailto_problems(uri: str, rest: str, field: str) -> list[Problem]:
    """A ``mailto:`` rua: exactly one address (dot-atom local part of at most 64 characters and a
    valid mail domain), no query."""
    address = unquote(rest)
    if "?" in address:
        return [Problem(field, uri, f"{uri!r} has a query; give only the address, e.g. mailto:tlsrpt@example.com")]
    local, at, domain = address.rpartition("@")
    if not at or not local or not _LOCAL_PART.match(local) or len(local) > 64:
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


def validate_rua(uri: object, field: str = "rua") -> list[Problem]:
    """Problems with one TLS-RPT ``rua`` URI: ``mailto:`` with one valid address, or an
    ``https:`` URL with a host. Commas and ``!`` must be percent-encoded (RFC 8460 §3)."""
    if not isinstance(uri, str) or not uri.strip():
        return [Problem(field, uri, "must be a mailto: or https: URI, e.g. mailto:tlsrpt@example.com")]
    text = uri.strip()
    if text != uri or any(c.isspace() for c in text):
        return [Problem(field, uri, f"{uri!r} contains white space; remove it")]
    if "," in text or "!" in text:
        return [Problem(field, uri, f"{uri!r} contains ',' or '!'; percent-encode them (%2C, %21)")]
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
    return f"{TLSRPT_VERSION}; rua={','.join(unique)}"


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
    records that start with ``v=STSv1``; ``problems`` say why there is no record."""

    record: StsRecord | None
    candidates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class TlsRptRecordSet:
    record: TlsRptRecord | None
    candidates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _is_candidate(text: str, version: str) -> bool:
    if not text.startswith(version):
        return False
    rest = text[len(version) :]
    return rest == "" or rest[0] in "; \t"


def _split_fields(text: str, version: str) -> tuple[list[str], list[Problem]]:
    fields = _DELIM.split(text[len(version) :])
    problems: list[Problem] = []
    if not fields or fields[0] != "":
        problems.append(Problem("v", text, f"'{version}' must be followed by ';'"))
        return [], problems
    fields = fields[1:]
    if fields and fields[-1] == "":
        fields.pop()  # the optional trailing ';'
    if any(f == "" for f in fields):
        problems.append(Problem("record", text, "has an empty field (';;'); remove it"))
    return [f for f in fields if f], problems


def _select(txts: Iterable[str], version: str, what: str) -> tuple[str | None, list[str], list[Problem]]:
    candidates = [t for t in txts if _is_candidate(t, version)]
    if not candidates:
        return None, candidates, [Problem("record", None, f"no TXT record starts with '{version}'; {what}")]
    if len(candidates) > 1:
        return (
            None,
            candidates,
            [
                Problem(
                    "record",
                    candidates,
                    f"{len(candidates)} TXT records start with '{version}'; senders then ignore the domain's "
                    f"{what.split(';')[0]} entirely — keep exactly one",
                )
            ],
        )
    return candidates[0], candidates, []


def parse_sts_records(txts: Sequence[str]) -> StsRecordSet:
    """Apply RFC 8461 §3.1 to the TXT strings found at ``_mta-sts.<domain>`` (each record's
    character-strings already joined): discard records not starting with ``v=STSv1``; exactly
    one must be left, with a valid ``id``."""
    text, candidates, problems = _select(txts, STS_VERSION, "MTA-STS; the domain has no policy")
    result = StsRecordSet(record=None, candidates=candidates, problems=problems)
    if text is None:
        return result
    fields, problems = _split_fields(text, STS_VERSION)
    record_id: str | None = None
    extensions: list[tuple[str, str]] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "id":
            if record_id is not None:
                problems.append(Problem("id", value, "appears twice; keep one id field"))
            elif not _ID.match(value):
                problems.append(Problem("id", value, f"{value!r} is not 1 to 32 letters and digits"))
            else:
                record_id = value
        elif not eq or not _STS_EXT_NAME.match(key) or not _EXT_VALUE.match(value):
            problems.append(Problem("record", item, f"{item!r} is not a valid 'name=value' field"))
        else:
            extensions.append((key, value))
    if record_id is None and not any(p.field == "id" for p in problems):
        problems.append(Problem("id", None, "is missing; the record must be 'v=STSv1; id=<id>;'"))
    result.problems = problems
    if not problems and record_id is not None:
        result.record = StsRecord(record_id, tuple(extensions))
    return result


def parse_tlsrpt_records(txts: Sequence[str]) -> TlsRptRecordSet:
    """Apply RFC 8460 §3 to the TXT strings found at ``_smtp._tls.<domain>``: discard records not
    starting with ``v=TLSRPTv1``; exactly one must be left, with a ``rua`` of valid URIs."""
    text, candidates, problems = _select(txts, TLSRPT_VERSION, "TLS reporting; no reports will be sent")
    result = TlsRptRecordSet(record=None, candidates=candidates, problems=problems)
    if text is None:
        return result
    fields, problems = _split_fields(text, TLSRPT_VERSION)
    rua: list[str] | None = None
    extensions: list[tuple[str, str]] = []
    for item in fields:
        key, eq, value = item.partition("=")
        if key == "rua":
            if rua is not None:
                problems.append(Problem("rua", value, "appears twice; put every URI in one comma-separated rua"))
                continue
            rua = [u.strip() for u in value.split(",")]
            for index, uri in enumerate(rua):
                problems.extend(validate_rua(uri, f"rua[{index}]"))
        elif not eq or not _TLSRPT_EXT_NAME.match(key) or not _EXT_VALUE.match(value):
            problems.append(Problem("record", item, f"{item!r} is not a valid 'name=value' field"))
        else:
            extensions.append((key, value))
    if rua is None:
        problems.append(Problem("rua", None, "is missing; the record must be 'v=TLSRPTv1; rua=mailto:...'"))
    result.problems = problems
    if not problems and rua is not None:
        result.record = TlsRptRecord(tuple(rua), tuple(extensions))
    return result
