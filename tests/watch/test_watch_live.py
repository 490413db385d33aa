"""Watch rounds against real DNS, HTTPS and SMTP servers on loopback, with a simulated clock: MX
records that change, certificates near their end, a policy host that stops answering, drift from
the stack, a policy left in testing. Each scenario runs round after round through the state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.records import policy_host, tlsrpt_record_name
from pulumi_mta_sts.watch import Expectation, RoundOutcome, expectation_of, run_round
from tests.livefixture import LiveFixture, live_fixture

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


class Watcher:
    """Rounds for one domain, each from the last one's state, as ``--state`` or the scheduled watcher does."""

    def __init__(self, live: LiveFixture, domain: str, expected: Expectation | None, **options: Any) -> None:
        self.domain, self.expected = domain, expected
        self.state: dict[str, Any] | None = None
        self.options = live.check_options(**options)

    def round(self, days: float = 0, reminder: int = 30) -> RoundOutcome:
        expectations = {} if self.expected is None else {self.domain: self.expected}
        now = NOW + dt.timedelta(days=days)
        outcome = run_round([self.domain], expectations, self.state, self.options, None, now, reminder)
        self.state = outcome.state_json()
        return outcome


def stack_of(domain: str, mode: str, mx: list[str], **reporting: Any) -> Expectation:
    """What ``render --stack`` would publish for this stack file's values."""
    rua = reporting.get("rua", [f"mailto:tlsrpt@{domain}"])
    values = {"domain": domain, "dns": {"provider": "route53"}, "policy": {"mode": mode, "mx": mx, "max_age": 604800}}
    return expectation_of(load_stack_config({**values, "reporting": {"rua": rua}}))


def said(outcome: RoundOutcome) -> dict[str, tuple[str, bool]]:
    (domain,) = outcome.domains
    return {p.code: (p.severity, new) for p, new in domain.problems}


def recovered(outcome: RoundOutcome) -> list[str]:
    return [r.code for _, r in outcome.recovered]


def add_mx(live: LiveFixture, domain: str, host: str) -> None:
    live.zone.add(domain, "MX", (30, host))
    live.zone.add(host, "A", "127.0.0.1")
    live.smtp.certificate(host, live.pki.server_context(host))


def test_an_mx_added_outside_the_stack_fails_once_and_recovers_once(live: LiveFixture) -> None:
    domain = "mxchange.watch.test"
    published = live.publish(domain, mode="enforce")
    watcher = Watcher(live, domain, stack_of(domain, "enforce", list(published.mx_hosts)))
    first = watcher.round()
    assert said(first) == {} and first.exit_code == 0
    add_mx(live, domain, "mx3.elsewhere.test")
    broken = watcher.round(1)
    assert said(broken) == {"mx-not-covered:mx3.elsewhere.test": ("fail", True)}
    assert broken.exit_code == 1 and "senders refuse to deliver" in broken.new[0][1].message
    again = watcher.round(2)
    assert said(again) == {"mx-not-covered:mx3.elsewhere.test": ("fail", False)} and again.new == []
    live.zone.remove(domain, "MX")
    for pref, host in enumerate(published.mx_hosts, start=1):
        live.zone.add(domain, "MX", (pref * 10, host))
    fixed = watcher.round(3)
    assert said(fixed) == {} and recovered(fixed) == ["mx-not-covered:mx3.elsewhere.test"]
    assert recovered(watcher.round(4)) == []


def test_in_testing_an_uncovered_mx_warns_and_a_long_testing_is_a_reminder(live: LiveFixture) -> None:
    domain = "testing.watch.test"
    published = live.publish(domain, mode="testing")
    watcher = Watcher(live, domain, stack_of(domain, "testing", list(published.mx_hosts)))
    add_mx(live, domain, "mx9.elsewhere.test")
    first = watcher.round()
    assert said(first) == {"mx-not-covered:mx9.elsewhere.test": ("warn", True)} and first.exit_code == 0
    assert "would lose mail once the mode is enforce" in first.new[0][1].message
    assert "testing-too-long" not in said(watcher.round(29, reminder=30))
    late = watcher.round(30, reminder=30)
    assert said(late)["testing-too-long"] == ("warn", True)
    assert any(p.code == "testing-too-long" and "for 30 days" in p.message for _, p in late.new)
    assert said(watcher.round(31, reminder=30))["testing-too-long"] == ("warn", False)


def test_certificates_near_their_end_escalate_at_30_14_and_7_days(live: LiveFixture) -> None:
    domain = "expiry.watch.test"
    published = live.publish(domain, mode="enforce")
    mx = published.mx_hosts[0]
    live.smtp_certificate(mx, days_left=40)
    live.certificate(policy_host(domain), days_left=20)
    watcher = Watcher(live, domain, None)
    code, web = f"certificate-expiring:{mx}", f"certificate-expiring:{policy_host(domain)}"
    first = watcher.round()
    assert said(first) == {web: ("warn", True)} and "30-day" in dict(first.new)[domain].message
    steps = [(11, ("warn", True), "30-day"), (12, ("warn", False), "30-day"), (27, ("warn", True), "14-day")]
    steps += [(34, ("fail", True), "7-day"), (35, ("fail", False), "7-day")]
    for days, verdict, threshold in steps:
        outcome = watcher.round(days)
        assert said(outcome)[code] == verdict, days
        message = next(p.message for p, _ in outcome.domains[0].problems if p.code == code)
        assert threshold in message and mx in message
    live.smtp_certificate(mx, days_left=400)
    live.certificate(policy_host(domain), days_left=400)
    renewed = watcher.round(36)
    assert said(renewed) == {} and sorted(recovered(renewed)) == sorted([code, web])


def test_a_policy_host_that_stops_answering_and_comes_back(live: LiveFixture) -> None:
    domain = "outage.watch.test"
    published = live.publish(domain, mode="enforce", aaaa=False)
    watcher = Watcher(live, domain, stack_of(domain, "enforce", list(published.mx_hosts)), smtp=False)
    assert said(watcher.round()) == {}
    live.zone.remove(policy_host(domain), "A")
    down = watcher.round(0.1)
    assert said(down) == {"policy-unavailable": ("fail", True)} and down.exit_code == 1
    live.zone.add(policy_host(domain), "A", "127.0.0.1")
    published.site.body = b"<html>maintenance</html>"
    refused = watcher.round(0.2)
    assert said(refused)["policy-refused"] == ("fail", True) and recovered(refused) == ["policy-unavailable"]
    published.site.body = published.policy.render_bytes()
    assert recovered(watcher.round(0.3)) == ["policy-refused"]


def test_drift_from_the_stack_policy_id_and_reporting(live: LiveFixture) -> None:
    domain = "drift.watch.test"
    published = live.publish(domain, mode="enforce")
    declared = stack_of(
        domain, "enforce", [*published.mx_hosts, "mx3.drift.watch.test"], rua=["mailto:ops@drift.watch.test"]
    )
    outcome = Watcher(live, domain, declared, smtp=False).round()
    assert said(outcome) == {
        "policy-differs": ("fail", True),
        "policy-id-differs": ("fail", True),
        "tlsrpt-record-differs": ("warn", True),
    }
    messages = {p.code: p.message for p, _ in outcome.domains[0].problems}
    assert "mx3.drift.watch.test" in messages["policy-differs"] and declared.id in messages["policy-id-differs"]
    assert tlsrpt_record_name(domain) in messages["tlsrpt-record-differs"]


def test_the_receivers_https_endpoint_is_no_drift(live: LiveFixture) -> None:
    domain = "receiver.watch.test"
    published = live.publish(domain, mode="enforce", tlsrpt=False)
    mailbox = f"mailto:reports@tlsrpt.{domain}"
    live.zone.add(tlsrpt_record_name(domain), "TXT", f"v=TLSRPTv1; rua={mailbox},https://abc.execute-api.example/r")
    expected = stack_of(domain, "enforce", list(published.mx_hosts), rua=[])
    declared = Expectation(expected.domain, expected.policy, expected.id, expected.sts_record, (mailbox,), True)
    assert said(Watcher(live, domain, declared, smtp=False).round()) == {}
    strict = Expectation(expected.domain, expected.policy, expected.id, expected.sts_record, (mailbox,), False)
    assert set(said(Watcher(live, domain, strict, smtp=False).round())) == {"tlsrpt-record-differs"}
