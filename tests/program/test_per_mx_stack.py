"""Issue 27: ``mta-sts:reporting.per_mx`` publishes ``_smtp._tls.<mx host>`` with the domain's own
``rua`` for the MX hosts in the zone the stack manages, and refuses (naming the key and the fix,
before anything registers) when it cannot: no MX host in the zone, hosts it cannot know (wildcards),
a fleet, the receiver, no ``rua``. Off by default: the example stacks' golden plans stay as they were
(tests/plan/test_golden.py); tests/plan/test_per_mx_golden.py records a per-MX stack on each provider."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.stack import load_any_config, load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.program.options import ProgramOptions
from pulumi_mta_sts.program.pipeline import StackInputError
from tests.livefixture.dns_server import Zone
from tests.program.test_receiver_stack import RECEIVER, run_program, stack_yaml, values_at
from tests.pulumi_mock import Recorder

DOMAIN_RECORD = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"


def base(mx: list[str], zone: str | None = "example.com", **reporting: object) -> dict[str, Any]:
    dns: dict[str, str] = {"provider": "route53"} | ({"zone_name": zone} if zone else {"zone_id": "Z123"})
    return {
        "domain": "example.com",
        "dns": dns,
        "policy": {"mode": "testing", "mx": mx},
        "reporting": {"rua": ["mailto:tlsrpt@example.com"], **reporting},
    }


def problems(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        load_any_config(values)
    return {p.field: p.reason for p in caught.value.problems}


# ---- config ---------------------------------------------------------------------------------------


def test_off_by_default_and_off_when_false() -> None:
    assert load_stack_config(base(["mx1.example.com"])).reporting.per_mx == ()
    assert load_stack_config(base(["mx1.example.com"], per_mx="false")).reporting.per_mx == ()


def test_the_exact_mx_entries_in_the_zone_are_the_hosts() -> None:
    cfg = load_stack_config(base(["mx1.example.com", "*.mail.example.com", "mx.other.example"], per_mx=True))
    assert cfg.reporting.per_mx == ("mx1.example.com",)


def test_only_a_zone_id_means_the_zone_holds_the_domain() -> None:
    cfg = load_stack_config(base(["mx1.example.com", "mx.other.example"], zone=None, per_mx="true"))
    assert cfg.reporting.per_mx == ("mx1.example.com",)


def test_listed_hosts_cover_what_a_wildcard_names() -> None:
    mx = ["*.mail.example.com"]
    cfg = load_stack_config(base(mx, per_mx=True, per_mx_hosts=["EU.mail.example.com.", "us.mail.example.com"]))
    assert cfg.reporting.per_mx == ("eu.mail.example.com", "us.mail.example.com")


def test_the_domain_itself_as_mx_keeps_its_one_record() -> None:
    assert load_stack_config(base(["example.com", "mx1.example.com"], per_mx=True)).reporting.per_mx == (
        "mx1.example.com",
    )


@pytest.mark.parametrize(
    ("values", "key", "words"),
    [
        (base(["*.mail.example.com"], per_mx=True), "mta-sts:reporting.per_mx", "per_mx_hosts"),
        (base(["mx.other.example"], per_mx=True), "mta-sts:reporting.per_mx", "none of the MX hosts"),
        (base(["*.example.com"], per_mx=True, per_mx_hosts=["mx.other.example"]), "[0]", "not in the zone"),
        (base(["mx1.example.com"], per_mx=True, per_mx_hosts=["mx9.example.com"]), "[0]", "not covered"),
        (base(["mx1.example.com"], per_mx_hosts=["mx1.example.com"]), "per_mx_hosts", "per_mx is false"),
        (base(["mx1.example.com"], per_mx="yes"), "mta-sts:reporting.per_mx", "true or false"),
        (base(["mx1.example.com"], per_mx=True, per_mx_hosts="mx1.example.com"), "per_mx_hosts", "a list"),
        (base(["mx1.example.com"], per_mx=True, per_mx_hosts=["bad host"]), "per_mx_hosts[0]", ""),
        (base(["mx1.example.com"], per_mx=True, receiver=RECEIVER), "mta-sts:reporting.per_mx", "receiver"),
        ({**base(["mx1.example.com"], per_mx=True), "reporting": {"per_mx": True}}, "per_mx", "needs reporting.rua"),
    ],
)
def test_what_per_mx_cannot_do_is_refused_naming_the_key(values: dict[str, Any], key: str, words: str) -> None:
    found = problems(values)
    named = [field for field in found if field.endswith(key) or key in field]
    assert named, found
    assert words in found[named[0]]


def test_a_fleet_refuses_per_mx() -> None:
    values = {k.removeprefix("mta-sts:"): v for k, v in stack_yaml("example-fleet").items() if k.startswith("mta-sts:")}
    values["defaults"]["reporting"]["per_mx"] = True
    found = problems(values)
    assert any(k.endswith("reporting.per_mx") and "one-domain stack" in r for k, r in found.items()), found


_labels = st.text("abcxyz", min_size=1, max_size=4)
_hosts = st.lists(
    st.one_of(
        _labels.map(lambda label: f"{label}.example.com"),
        _labels.map(lambda label: f"*.{label}.example.com"),
        _labels.map(lambda label: f"{label}.elsewhere.example"),
    ),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_hosts)
def test_the_chosen_hosts_are_the_exact_entries_inside_the_zone(mx: list[str]) -> None:
    expected = [h for h in mx if not h.startswith("*.") and h.endswith(".example.com")]
    values = base(mx, per_mx=True)
    if not expected:
        assert "mta-sts:reporting.per_mx" in problems(values)
        return
    assert sorted(load_stack_config(values).reporting.per_mx) == sorted(expected)


# ---- the program under the mock runtime ------------------------------------------------------------


def with_per_mx(stack: str, **reporting: object) -> dict[str, Any]:
    config = stack_yaml(stack)
    config["mta-sts:reporting"] = {**config["mta-sts:reporting"], **reporting}
    return config


def test_route53_publishes_the_domains_value_at_each_mx_host() -> None:
    rec = run_program(with_per_mx("example-com", per_mx=True))
    for name in ("_smtp._tls.example.com", "_smtp._tls.mx1.example.com", "_smtp._tls.mx2.example.com"):
        assert values_at(rec, name, "TXT") == [DOMAIN_RECORD], name
    names = {r.name for r in rec.resources}
    assert {"example-com-tlsrpt-mx1-example-com-txt", "example-com-tlsrpt-mx2-example-com-txt"} <= names


def test_cloudflare_publishes_the_listed_hosts() -> None:
    config = with_per_mx("example-org", per_mx=True, per_mx_hosts=["a.mail.example.org", "mx.example.org"])
    rec = run_program(config, stack="example-org")
    domain = values_at(rec, "_smtp._tls.example.org", "TXT")
    assert domain and values_at(rec, "_smtp._tls.a.mail.example.org", "TXT") == domain
    assert values_at(rec, "_smtp._tls.mx.example.org", "TXT") == domain


def test_without_per_mx_no_record_at_an_mx_host() -> None:
    rec = run_program(stack_yaml("example-com"))
    assert not [r for r in rec.resources if "mx1-example-com" in r.name]


def test_a_refused_config_registers_nothing() -> None:
    config = with_per_mx("example-com", per_mx=True, per_mx_hosts=["mx.other.example"])
    with pytest.raises(StackInputError) as caught:
        run_program(config)
    assert "mta-sts:reporting.per_mx_hosts[0]" in str(caught.value)


def test_plan_says_the_problem_in_one_line_and_exits_2(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    config = with_per_mx("example-com", per_mx=True, per_mx_hosts=["mx.other.example"])
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
    code = main(["plan", "--stack", "bad", "--stacks-dir", str(tmp_path), "--no-live-dns"])
    err = capsys.readouterr().err
    assert code == 2
    assert "mta-sts:reporting.per_mx_hosts[0]" in err and "Traceback" not in err


# ---- live DNS: a hand-made record at an MX host is a warning with the import that adopts it -------


def test_a_hand_made_record_at_an_mx_host_is_reported_with_how_to_adopt_it(
    pulumi_mocks: Recorder, live_dns: tuple[Zone, ProgramOptions]
) -> None:
    zone, options = live_dns
    zone.add("_smtp._tls.mx1.example.com", "TXT", "v=TLSRPTv1; rua=mailto:other@provider.example")
    zone.add("_smtp._tls.mx2.example.com", "TXT", DOMAIN_RECORD)  # already what the stack publishes
    rec = run_program(with_per_mx("example-com", per_mx=True), options=options)
    [warning] = rec.warnings
    assert "_smtp._tls.mx1.example.com" in warning and "mailto:other@provider.example" in warning
    assert "pulumi import aws:route53/record:Record example-com-tlsrpt-mx1-example-com-txt" in warning
    assert rec.named("example-com-tlsrpt-mx1-example-com-txt")  # a warning, not a failure
