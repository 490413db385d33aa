"""DNS look-ups that never raise: every outcome (answer, no data, NXDOMAIN, timeout, failure) is a
:class:`Lookup` value, so the checker, the preflight and ``plan`` read a domain the same way.
:class:`Answers` asks each question of one run once, whoever asks it and however often."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import dns.exception
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver


class Outcome(StrEnum):
    OK = "ok"  # at least one record
    NODATA = "nodata"  # the name exists, no record of this type
    NXDOMAIN = "nxdomain"
    TIMEOUT = "timeout"
    ERROR = "error"  # SERVFAIL, REFUSED, no reachable server, malformed answer


@dataclass(frozen=True)
class Lookup:
    """One DNS question and its answer; ``cname``: the CNAME at ``name`` any answer carries (RFC 1034 §3.6.2)."""

    name: str
    rtype: str
    outcome: Outcome
    records: tuple[Any, ...] = ()
    canonical: str = ""
    error: str = ""
    cname: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in (Outcome.TIMEOUT, Outcome.ERROR)

    def texts(self) -> list[str]:
        """TXT records, each record's character-strings joined (RFC 7208 §3.3 style)."""
        return [b"".join(r.strings).decode("utf-8", "replace") for r in self.records]

    def describe_failure(self) -> str:
        if self.outcome is Outcome.TIMEOUT:
            return f"DNS timeout looking up {self.rtype} {self.name}"
        if self.outcome is Outcome.NXDOMAIN:
            return f"{self.name} does not exist (NXDOMAIN)"
        if self.outcome is Outcome.NODATA:
            return f"{self.name} has no {self.rtype} record"
        return f"DNS error looking up {self.rtype} {self.name}: {self.error}"


def name_text(name: dns.name.Name | str | object) -> str:
    """A DNS name as this toolkit compares names: lower case, no trailing dot."""
    return str(name).rstrip(".").lower()


def lookup(resolver: Asker, name: str, rtype: str) -> Lookup:
    """``rtype`` records of ``name``; never raises for DNS trouble."""
    if isinstance(resolver, Answers):
        return resolver.lookup(name, rtype)
    return _ask(resolver, name, rtype)


def _ask(resolver: dns.resolver.Resolver, name: str, rtype: str) -> Lookup:
    try:
        answer = resolver.resolve(name, rtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN as exc:
        responses: dict[dns.name.Name, dns.message.Message] = exc.kwargs.get("responses") or {}
        response = next(iter(responses.values()), None)
        return Lookup(name, rtype, Outcome.NXDOMAIN, cname=_cname_in(response, next(iter(responses), None)))
    except dns.exception.Timeout:
        return Lookup(name, rtype, Outcome.TIMEOUT, error="timeout")
    except dns.exception.DNSException as exc:  # SERVFAIL/REFUSED from every server, bad answers
        return Lookup(name, rtype, Outcome.ERROR, error=_short(exc))
    except OSError as exc:  # e.g. no route to the configured nameserver
        return Lookup(name, rtype, Outcome.ERROR, error=str(exc))
    cname = _cname_in(answer.response, answer.qname)  # none: the canonical name is the name asked
    canonical = name_text(name if cname is None else answer.canonical_name)
    if answer.rrset is None:
        return Lookup(name, rtype, Outcome.NODATA, canonical=canonical, cname=cname)
    return Lookup(name, rtype, Outcome.OK, tuple(answer.rrset), canonical, cname=cname)


def _cname_in(response: dns.message.Message | None, qname: dns.name.Name | None) -> str | None:
    """The target of the CNAME owned by ``qname`` in ``response``'s answer, if there is one."""
    if response is None or qname is None:
        return None
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == qname and len(rrset):
            return name_text(rrset[0].target)
    return None


class Answers:
    """One run's look-ups: each question is asked once, whoever needs it (others wait for it); kept for the
    short run, not by TTL, failures too (asking again would wait out the same timeout). An answer is kept as
    its :class:`Lookup`, a question being asked as a ``Future``: a ``Future`` kept per answer (about ten objects
    the cyclic collector walks) made ``check`` collect about 70 times per 300 domains, 40 without."""

    def __init__(self, resolver: dns.resolver.Resolver) -> None:
        self.resolver = resolver
        self._lock = threading.Lock()
        self._asked: dict[tuple[str, str], Lookup | Future[Lookup]] = {}

    def lookup(self, name: str, rtype: str) -> Lookup:
        key = (name_text(name), rtype.upper())
        with self._lock:
            if (known := self._asked.get(key)) is None:
                asking = self._asked[key] = Future()
        if known is None:
            try:
                found = self._asked[key] = _ask(self.resolver, name, rtype)
            except BaseException as exc:  # a bug, not DNS trouble: the waiters see it too
                asking.set_exception(exc)
                raise
            asking.set_result(found)
        else:
            found = known if isinstance(known, Lookup) else known.result()
        return found if found.name == name else dataclasses.replace(found, name=name)


#: Where look-ups go: a resolver (every call asks) or a run's :class:`Answers` (each question once).
Asker = dns.resolver.Resolver | Answers


def _short(exc: Exception) -> str:
    """The error in a few words; a CNAME chain dnspython gave up following (as a loop makes every
    server answer) is reported inside "all nameservers failed", so it is looked for there."""
    errors = exc.kwargs.get("errors", ()) if isinstance(exc, dns.resolver.NoNameservers) else ()
    chain = [any(isinstance(part, dns.message.ChainTooLong) for part in error) for error in errors]
    if isinstance(exc, dns.message.ChainTooLong) or (chain and all(chain)):
        return "the CNAME chain is too long (a CNAME loop?)"
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def addresses(resolver: Asker, host: str) -> tuple[Lookup, Lookup]:
    return lookup(resolver, host, "A"), lookup(resolver, host, "AAAA")


@dataclass(frozen=True)
class MailHosts:
    """Where mail for a domain goes: its MX hosts by preference, or itself (RFC 5321 §5.1 implicit MX)."""

    domain: str
    hosts: tuple[str, ...] = ()
    implicit: bool = False
    null_mx: bool = False
    problem: Lookup | None = None  # set when DNS did not give a usable answer


def mail_hosts(resolver: Asker, domain: str) -> MailHosts:
    mx = lookup(resolver, domain, "MX")
    if mx.outcome is Outcome.OK:
        ordered = sorted((r.preference, name_text(r.exchange)) for r in mx.records)  # each name read once
        hosts = tuple(dict.fromkeys(host for _, host in ordered))
        if hosts in ((), ("",)):
            return MailHosts(domain, null_mx=True)
        return MailHosts(domain, tuple(h for h in hosts if h))
    if mx.outcome is not Outcome.NODATA:
        return MailHosts(domain, problem=mx)
    a, aaaa = addresses(resolver, domain)
    if a.outcome is Outcome.OK or aaaa.outcome is Outcome.OK:
        return MailHosts(domain, (domain,), implicit=True)
    failed_lookup = a if a.failed else aaaa if aaaa.failed else None
    return MailHosts(domain, problem=failed_lookup)
