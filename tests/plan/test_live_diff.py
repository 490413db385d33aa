"""The plan compared with live DNS (plan/live_diff.py) against the loopback DNS and HTTPS servers
of ``tests/livefixture``: each status, the policy served today fetched as a sender fetches it,
the diff and the id roll, each safety note from live MX hosts, and a DNS server that does not
answer (said once, nothing more asked). No mock engine here: the planned rows are written out,
as :func:`~pulumi_mta_sts.plan.stack_plan.dns_rows` gives them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.model import LINE_ENDS_ONLY, ChangeSet, PolicyChange
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.policy_change import describe_seconds
from pulumi_mta_sts.core.records import policy_host, sts_record_name, sts_record_value
from pulumi_mta_sts.net.resolver import PROBE_ATTEMPTS
from pulumi_mta_sts.plan.cloud import UNKNOWN
from pulumi_mta_sts.plan.live_diff import LiveRun, LiveSettings, compare_with_live
from pulumi_mta_sts.program.options import LIVE_DNS_UNREACHABLE, ProgramOptions
from tests.livefixture import LiveFixture, Site, live_fixture
from tests.livefixture.dns_server import DnsFixture, Zone
from tests.livefixture.silent_dns import SilentDns

_names = itertools.count()


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def run_for(live: LiveFixture) -> LiveRun:
    options = ProgramOptions(nameservers=(live.nameserver,), dns_timeout=3.0)
    return LiveRun(LiveSettings(options, live.cafile, live.https.port, 3.0))


def fresh_domain(stem: str) -> str:
    return f"{stem}{next(_names)}.live.test"


def sts_rows(domain: str, policy: Policy, record_id: str | None = None) -> list[dict[str, str]]:
    return [{"name": sts_record_name(domain), "type": "TXT", "value": sts_record_value(record_id or policy.id)}]


def compare_policy(live: LiveFixture, domain: str, new: Policy, record_id: str | None = None) -> PolicyChange:
    comparison = compare_with_live(sts_rows(domain, new, record_id), {domain: new.render()}, run_for(live))
    assert comparison.compared, comparison.reason
    [diff] = comparison.policies
    return diff


def codes(diff: PolicyChange) -> list[str]:
    return [note.code for note in diff.notes]


# ---- statuses -----------------------------------------------------------------------------------
txt_value = st.from_regex(r"\Av=TEST1; k=[a-z0-9]{1,12}\Z")


@settings(max_examples=40, deadline=None)
@given(planned=st.lists(txt_value, min_size=1, max_size=3, unique=True), data=st.data())
def test_txt_status_is_create_change_or_unchanged_as_live_dns_says(
    live: LiveFixture, planned: list[str], data: st.DataObject
) -> None:
    served = data.draw(
        st.one_of(st.just([]), st.just(list(planned)), st.lists(txt_value, min_size=1, max_size=3, unique=True))
    )
    name = f"txt.{fresh_domain('s')}"
    for value in served:
        live.zone.add(name, "TXT", value)
    comparison = compare_with_live([{"name": name, "type": "TXT", "value": v} for v in planned], {}, run_for(live))
    [record] = comparison.records
    expected = "create" if not served else "unchanged" if set(served) == set(planned) else "change"
    assert record.status == expected
    assert (sorted(record.old) if record.old else None) == (sorted(served) or None)


def test_mx_cname_and_address_values_compare_in_normal_form(live: LiveFixture) -> None:
    domain = fresh_domain("forms")
    live.zone.add(f"in.{domain}", "MX", (10, f"MX1.{domain.upper()}."))
    live.zone.add(f"alias.{domain}", "CNAME", f"Target.{domain}.")
    live.zone.add(f"v6.{domain}", "AAAA", "2001:db8::1")
    rows = [
        {"name": f"in.{domain}", "type": "MX", "value": f"10 mx1.{domain}"},
        {"name": f"alias.{domain}", "type": "CNAME", "value": f"target.{domain}"},
        {"name": f"v6.{domain}", "type": "AAAA", "value": "2001:0db8:0:0:0:0:0:1"},
        {"name": f"new.{domain}", "type": "A", "value": "192.0.2.7"},
    ]
    comparison = compare_with_live(rows, {}, run_for(live))
    status = {r.name: r.status for r in comparison.records}
    assert status == {
        f"in.{domain}": "unchanged",
        f"alias.{domain}": "unchanged",
        f"v6.{domain}": "unchanged",
        f"new.{domain}": "create",
    }
    assert comparison.counts() == {"create": 1, "change": 0, "unchanged": 3, "unknown": 0}


def test_values_known_only_after_deploy(live: LiveFixture) -> None:
    domain = fresh_domain("unknown")
    host = policy_host(domain)
    live.zone.add(host, "A", "192.0.2.10")
    rows = [
        {"name": host, "type": "A", "value": f"ALIAS {UNKNOWN} (zone Z2FDTNDATAQYW2)"},  # something is there
        {"name": host, "type": "AAAA", "value": f"ALIAS {UNKNOWN} (zone Z2FDTNDATAQYW2)"},  # nothing is there
        {"name": UNKNOWN, "type": "CNAME", "value": UNKNOWN},  # an ACM validation record
        {"name": f"w.{domain}", "type": "WORKER", "value": "Worker w (record made by Cloudflare)"},
    ]
    comparison = compare_with_live(rows, {}, run_for(live))
    by_key = {(r.name, r.type): r for r in comparison.records}
    assert (by_key[(host, "A")].status, by_key[(host, "A")].old) == ("unknown", ["192.0.2.10"])
    assert (by_key[(host, "AAAA")].status, by_key[(host, "AAAA")].old) == ("create", None)
    assert by_key[(UNKNOWN, "CNAME")].status == "unknown"
    assert by_key[(f"w.{domain}", "WORKER")].status == "create"  # Cloudflare will make a record where none is


# ---- the policy ---------------------------------------------------------------------------------
def test_a_staged_policy_edit_shows_the_diff_and_the_id_roll(live: LiveFixture) -> None:
    domain = fresh_domain("edit")
    published = live.publish(domain, mode="testing", max_age=86_401)
    old = published.policy
    new = Policy.build("enforce", list(old.mx), 604_800)
    diff = compare_policy(live, domain, new)
    assert diff.old is not None and diff.old.text == old.render() and diff.old.id == old.id
    assert diff.id_rolls is True
    lines = diff.diff_lines()
    assert lines is not None
    assert "-mode: testing" in lines and "+mode: enforce" in lines
    assert "-max_age: 86401" in lines and "+max_age: 604800" in lines
    assert not any(line.endswith("\r") for line in lines)
    assert "max-age-raised" in codes(diff)
    assert diff.live_mx == published.mx_hosts


def test_an_unchanged_policy_has_an_empty_diff_and_no_note(live: LiveFixture) -> None:
    domain = fresh_domain("same")
    policy = live.publish(domain).policy
    diff = compare_policy(live, domain, policy)
    assert (diff.id_rolls, diff.diff_lines(), diff.notes) == (False, [], ())


def test_the_policy_served_today_is_judged_as_senders_judge_it(live: LiveFixture) -> None:
    domain = fresh_domain("refused")
    published = live.publish(domain)
    published.site.content_type = "text/html"  # senders refuse it: no policy today
    diff = compare_policy(live, domain, published.policy)
    assert diff.old is not None and diff.old.text is None and diff.old.id == published.policy.id
    assert diff.problem is not None and "text/html" in diff.problem
    lines = diff.diff_lines()
    assert lines is not None and lines[:2] == ["--- served today", "+++ after deploy"]
    body = [line for line in lines[2:] if not line.startswith("@@")]
    assert body == [f"+{line}" for line in published.policy.render().splitlines()]  # all of it is new to senders


def test_no_record_today_means_no_policy_and_no_fetch(live: LiveFixture) -> None:
    domain = fresh_domain("fresh")
    site = Site(body=b"version: STSv1\r\nmode: enforce\r\nmx: x.test\r\nmax_age: 1\r\n")
    live.https.serve(policy_host(domain), site, live.pki.server_context(policy_host(domain)))
    live.zone.add(policy_host(domain), "A", "127.0.0.1")
    new = Policy.build("testing", [f"mx.{domain}"], 86_401)
    diff = compare_policy(live, domain, new)
    assert diff.old is not None and (diff.old.text, diff.old.id) == (None, None)
    assert diff.problem is not None and "no TXT record" in diff.problem
    assert site.requests == 0  # a sender fetches only when the record says there is a policy
    assert diff.id_rolls is True


def test_a_policy_host_without_address_is_said_once(live: LiveFixture) -> None:
    domain = fresh_domain("noaddr")
    live.zone.add(sts_record_name(domain), "TXT", "v=STSv1; id=old1;")
    new = Policy.build("testing", [f"mx.{domain}"], 86_401)
    diff = compare_policy(live, domain, new)
    assert diff.problem is not None and "has no address" in diff.problem
    assert diff.old is not None and diff.old.id == "old1"


# ---- safety notes from live DNS -----------------------------------------------------------------
def test_enforce_with_a_live_mx_not_covered(live: LiveFixture) -> None:
    domain = fresh_domain("uncovered")
    old = live.publish(
        domain, mode="testing", mx_hosts=[f"mx1.{domain}", f"backup.{domain}"], patterns=[f"mx1.{domain}"]
    ).policy
    new = Policy.build("enforce", list(old.mx), old.max_age)
    diff = compare_policy(live, domain, new)
    [note] = [n for n in diff.notes if n.code == "enforce-uncovered-mx"]
    assert note.level == "danger" and f"backup.{domain}" in note.message
    covered = compare_policy(live, domain, Policy.build("enforce", [f"*.{domain}"], old.max_age))
    assert "enforce-uncovered-mx" not in codes(covered)


def test_removing_a_pattern_that_covers_a_live_mx(live: LiveFixture) -> None:
    domain = fresh_domain("removed")
    hosts = [f"mx1.{domain}", f"mx2.{domain}"]
    old = live.publish(domain, mode="testing", mx_hosts=hosts).policy
    diff = compare_policy(live, domain, Policy.build("testing", hosts[:1], old.max_age))
    [note] = [n for n in diff.notes if n.code == "mx-pattern-removed-live"]
    assert note.level == "warning" and f"mx2.{domain}" in note.message
    kept = compare_policy(live, domain, Policy.build("testing", [*hosts, f"mx3.{domain}"], old.max_age))
    assert "mx-pattern-removed-live" not in codes(kept)


def test_id_without_body_change_and_body_without_id_change(live: LiveFixture) -> None:
    domain = fresh_domain("ids")
    policy = live.publish(domain, mode="testing").policy
    same_body = compare_policy(live, domain, policy, record_id="rolled2024")
    assert codes(same_body) == ["id-without-body-change"]
    edited = Policy.build("testing", [*policy.mx, f"mx3.{domain}"], policy.max_age)
    same_id = compare_policy(live, domain, edited, record_id=policy.id)
    assert "body-without-id-change" in codes(same_id) and same_id.id_rolls is False


def test_retirement_says_how_long_senders_keep_the_old_policy(live: LiveFixture) -> None:
    domain = fresh_domain("retire")
    old = live.publish(domain, mode="enforce", max_age=1_209_600).policy
    diff = compare_policy(live, domain, Policy.build("none", (), 86_401))
    [note] = [n for n in diff.notes if n.code == "retirement"]
    assert describe_seconds(1_209_600) in note.message and "14 days" in note.message
    assert "max-age-lowered" in codes(diff)
    assert old.mode == "enforce"


def test_max_age_lowered(live: LiveFixture) -> None:
    domain = fresh_domain("lower")
    old = live.publish(domain, mode="testing", max_age=604_800).policy
    diff = compare_policy(live, domain, Policy.build("testing", list(old.mx), 86_401))
    assert codes(diff) == ["max-age-lowered"]


# ---- without live DNS ---------------------------------------------------------------------------
def _plan_rows(domain: str, policy: Policy) -> list[dict[str, str]]:
    return [
        *sts_rows(domain, policy),
        {"name": f"_smtp._tls.{domain}", "type": "TXT", "value": "v=TLSRPTv1; rua=mailto:r@example.com"},
        {"name": policy_host(domain), "type": "A", "value": f"ALIAS {UNKNOWN} (zone Z)"},
    ]


def test_a_dns_server_that_does_not_answer_is_said_once_and_asked_once() -> None:
    zone = Zone()
    zone.blackhole("dead.test")
    server = DnsFixture(zone)
    try:
        run = LiveRun(LiveSettings(ProgramOptions(nameservers=(server.nameserver,), dns_timeout=0.5), timeout=1.0))
        policy = Policy.build("enforce", ["mx.dead.test"], 86_401)
        first = compare_with_live(_plan_rows("dead.test", policy), {"dead.test": policy.render()}, run)
        asked = sum(zone.queries.values())
        second = compare_with_live(_plan_rows("dead.test", policy), {"dead.test": policy.render()}, run)
    finally:
        server.stop()
    for comparison in (first, second):
        assert_desired_state_only(comparison)
        assert comparison.reason is not None and "did not answer" in comparison.reason
    assert zone.queries[("", "NS")] == 1  # the run's probe: DNS can be reached
    assert len({name for name, _ in zone.queries} - {""}) == 1  # the first question, then nothing more
    assert sum(zone.queries.values()) == asked  # the second plan of the run asks nothing


def assert_desired_state_only(comparison: ChangeSet) -> None:
    assert not comparison.compared
    assert {r.status for r in comparison.records} <= {None, "unknown"}
    assert all(r.old is None for r in comparison.records)
    for diff in comparison.policies:
        assert (diff.old, diff.problem, diff.live_mx, diff.id_rolls) == (None, None, None, None)


def test_a_dns_that_cannot_be_reached_is_found_once_and_the_program_runs_without_it() -> None:
    with SilentDns() as silent:
        options = ProgramOptions(nameservers=(silent.nameserver,), dns_timeout=0.4)
        run = LiveRun(LiveSettings(options, timeout=1.0))
        policy = Policy.build("enforce", ["mx.gone.test"], 86_401)
        comparison = compare_with_live(_plan_rows("gone.test", policy), {"gone.test": policy.render()}, run)
        sent = len(silent.drain())
    assert sent == PROBE_ATTEMPTS  # the probe, and nothing for the comparison
    assert_desired_state_only(comparison)
    assert comparison.reason == f"live DNS cannot be reached: {silent.nameserver}: no answer within 0.4 s"
    handed = run.program_options
    assert (handed.live_dns, handed.offline_reason) == (False, LIVE_DNS_UNREACHABLE)
    assert (handed.nameservers, handed.dns_timeout) == (options.nameservers, options.dns_timeout)


def test_the_program_gets_the_run_s_own_options_when_dns_answers_or_is_off(live: LiveFixture) -> None:
    reachable = run_for(live)
    assert reachable.unavailable is None and reachable.program_options is reachable.settings.options
    off = LiveRun(LiveSettings(ProgramOptions(live_dns=False)))
    assert off.program_options is off.settings.options


def test_without_live_dns_nothing_is_asked_and_notes_come_from_the_plan() -> None:
    run = LiveRun(LiveSettings(ProgramOptions(live_dns=False)))
    policy = Policy.build("enforce", ["mx.off.test"], 86_401)
    comparison = compare_with_live(_plan_rows("off.test", policy), {"off.test": policy.render()}, run)
    assert_desired_state_only(comparison)
    assert comparison.reason is not None and "disabled" in comparison.reason
    statuses = {(r.name, r.type): r.status for r in comparison.records}
    assert statuses[("mta-sts.off.test", "A")] == "unknown" and statuses[("_mta-sts.off.test", "TXT")] is None
    assert [code for _, n in comparison.notes for code in [n.code]] == ["live-mx-unknown"]


def test_a_plan_with_several_domains_has_a_policy_diff_for_each() -> None:
    one, two = Policy.build("testing", ["mx.one.test"], 86_401), Policy.build("enforce", ["mx.two.test"], 604_800)
    rows = [
        *sts_rows("one.test", one),
        *sts_rows("two.test.delegation.example.net", two),  # kept in a delegation zone
    ]
    comparison = compare_with_live(rows, {"one.test": one.render(), "two.test": two.render()}, None)
    assert [(d.domain, d.new.text, d.new.id) for d in comparison.policies] == [
        ("one.test", one.render(), one.id),
        ("two.test", two.render(), two.id),
    ]
    assert [(domain, note.code) for domain, note in comparison.notes] == [("two.test", "live-mx-unknown")]


def test_a_policy_served_with_other_line_ends_is_said_to_read_the_same(live: LiveFixture) -> None:
    domain = fresh_domain("lineends")
    published = live.publish(domain, mode="testing")
    published.site.body = published.policy.render_bytes().replace(b"\r\n", b"\n")
    diff = compare_policy(live, domain, published.policy, record_id="lf2024")
    assert diff.diff_lines() == [LINE_ENDS_ONLY]
    assert codes(diff) == []  # a body change with an id change: nothing to warn about
