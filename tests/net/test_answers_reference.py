"""A run's :class:`Answers` and :func:`mail_hosts` give what they gave before issue 25's eighth session
(the previous code is kept below as the reference): the same look-up, or the same exception, for every
question however it is spelt and whoever asks it first, each question asked of the resolver once; and
an answered question is kept as its :class:`Lookup` alone, not with a ``Future`` (a dozen objects the
cyclic collector walks, thousands of them in a run)."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import dns.exception
import dns.message
import dns.name
import dns.resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.net import lookup as lookup_module
from pulumi_mta_sts.net.lookup import Answers, Lookup, MailHosts, Outcome, mail_hosts, name_text

NAMES = ("a.example", "b.example", "mx.b.example")
KINDS = ("ok", "nodata", "nxdomain", "timeout", "servfail", "bug")


class ReferenceAnswers:
    """:class:`Answers` as it was (a ``Future`` kept per question)."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self._lock = threading.Lock()
        self._asked: dict[tuple[str, str], Future[Lookup]] = {}

    def lookup(self, name: str, rtype: str) -> Lookup:
        key = (name_text(name), rtype.upper())
        with self._lock:
            pending = self._asked.get(key)
            mine = pending is None
            if pending is None:
                pending = self._asked[key] = Future()
        if mine:
            try:
                pending.set_result(lookup_module._ask(self.resolver, name, rtype))
            except BaseException as exc:
                pending.set_exception(exc)
                raise
        found = pending.result()
        return found if found.name == name else dataclasses.replace(found, name=name)


def reference_mail_hosts(resolver: Any, domain: str) -> MailHosts:
    """:func:`mail_hosts`' MX branch as it was (records sorted by a key that reads each name)."""
    mx = lookup_module.lookup(resolver, domain, "MX")
    assert mx.outcome is Outcome.OK
    ordered = sorted(mx.records, key=lambda r: (r.preference, name_text(r.exchange)))
    hosts = tuple(dict.fromkeys(name_text(r.exchange) for r in ordered))
    if hosts in ((), ("",)):
        return MailHosts(domain, null_mx=True)
    return MailHosts(domain, tuple(h for h in hosts if h))


class StubResolver:
    """Answers each question as ``plan`` says (by name as compared and type), counting the questions."""

    def __init__(self, plan: dict[tuple[str, str], str], records: tuple[Any, ...] = ("r1", "r2")) -> None:
        self.plan, self.records, self.asked = plan, records, Counter[tuple[str, str]]()
        self._lock = threading.Lock()

    def resolve(self, name: str, rtype: str, **_: object) -> Any:
        key = (name_text(name), rtype.upper())
        with self._lock:
            self.asked[key] += 1
        kind, qname = self.plan.get(key, "ok"), dns.name.from_text(name)
        if kind == "nxdomain":
            raise dns.resolver.NXDOMAIN(qnames=[qname], responses={})  # type: ignore[no-untyped-call]
        if kind == "timeout":
            raise dns.exception.Timeout()  # type: ignore[no-untyped-call]
        if kind == "servfail":
            raise dns.resolver.NoNameservers(request=dns.message.make_query(qname, rtype), errors=[])  # type: ignore[no-untyped-call]
        if kind == "bug":
            raise RuntimeError(f"bug at {key}")
        rrset = None if kind == "nodata" else self.records
        return SimpleNamespace(rrset=rrset, response=SimpleNamespace(answer=[]), qname=qname, canonical_name=qname)


def spelt(name: str, upper: int, dot: bool) -> str:
    return "".join(c.upper() if upper >> i & 1 else c for i, c in enumerate(name)) + ("." if dot else "")


question = st.builds(
    lambda name, rtype, upper, dot: (spelt(name, upper, dot), rtype),
    st.sampled_from(NAMES),
    st.sampled_from(["A", "a", "TXT", "txt", "MX"]),
    st.integers(0, 2**12),
    st.booleans(),
)
plans = st.dictionaries(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(["A", "TXT", "MX"])), st.sampled_from(KINDS), max_size=9
)


def outcome(answers: Any, name: str, rtype: str) -> Lookup | tuple[str, str]:
    """The look-up, or the exception's type and words."""
    try:
        found: Lookup = answers.lookup(name, rtype)
    except RuntimeError as exc:
        return type(exc).__name__, str(exc)
    return found


@settings(max_examples=200, deadline=None)
@given(plan=plans, questions=st.lists(question, max_size=30))
def test_the_same_answers_as_before_one_asker(plan: dict[tuple[str, str], str], questions: list[Any]) -> None:
    ours, theirs = StubResolver(plan), StubResolver(plan)
    answers, reference = Answers(ours), ReferenceAnswers(theirs)  # type: ignore[arg-type]
    assert [outcome(answers, *q) for q in questions] == [outcome(reference, *q) for q in questions]
    assert ours.asked == theirs.asked
    assert set(ours.asked.values()) <= {1}


@settings(max_examples=60, deadline=None)
@given(plan=plans, questions=st.lists(question, max_size=40), workers=st.integers(2, 8))
def test_the_same_answers_as_before_many_askers(
    plan: dict[tuple[str, str], str], questions: list[Any], workers: int
) -> None:
    """Askers on several threads at once each get what one asker gets from the previous code."""
    ours = StubResolver(plan)
    answers = Answers(ours)  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        got = list(pool.map(lambda q: outcome(answers, *q), questions))
    reference = ReferenceAnswers(StubResolver(plan))
    assert got == [outcome(reference, *q) for q in questions]
    assert set(ours.asked.values()) <= {1}


@settings(max_examples=60, deadline=None)
@given(plan=plans.map(lambda p: {k: v for k, v in p.items() if v != "bug"}), questions=st.lists(question, max_size=30))
def test_an_answer_is_kept_without_a_future(plan: dict[tuple[str, str], str], questions: list[Any]) -> None:
    answers = Answers(StubResolver(plan))  # type: ignore[arg-type]
    for q in questions:
        answers.lookup(*q)
    kept = list(answers._asked.values())
    assert all(isinstance(found, Lookup) for found in kept), "an answered question still holds its Future"


mx_record = st.builds(
    lambda preference, name, upper: SimpleNamespace(
        preference=preference, exchange=dns.name.from_text(spelt(name, upper, False))
    ),
    st.integers(0, 3),
    st.sampled_from(["mx1.example", "mx2.example", "b.example", "mx1.other", "."]),
    st.integers(0, 2**12),
)


@settings(max_examples=200, deadline=None)
@given(records=st.lists(mx_record, min_size=1, max_size=8), cached=st.booleans())
def test_mail_hosts_as_before(records: list[Any], cached: bool) -> None:
    """MX hosts in preference order, then by name, each once; a lone root name is a null MX (RFC 7505)."""
    resolver = StubResolver({}, tuple(records))
    asker: Any = Answers(resolver) if cached else resolver  # type: ignore[arg-type]
    assert mail_hosts(asker, "b.example") == reference_mail_hosts(asker, "b.example")
