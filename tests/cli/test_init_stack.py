"""The pure choices of ``mta-sts init`` (``config/init_stack.py``): provider presets, MX patterns
never broader than one label, the DNS provider from NS names, and a stack text that reads back."""

from __future__ import annotations

import string

import yaml
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.init_stack import (
    MAIL_PROVIDERS,
    InitChoices,
    dns_provider_of,
    header,
    mx_patterns,
    pattern_for,
    region_entry,
    split_rua,
    stack_entries,
    stack_name_for,
    unusable_patterns,
)
from pulumi_mta_sts.config.stack_edit import edit_config
from pulumi_mta_sts.core.matching import matching_pattern, uncovered

LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
SUFFIXES = [suffix for provider in MAIL_PROVIDERS for suffix in provider.suffixes]
DEPTH = {suffix: provider.depth for provider in MAIL_PROVIDERS for suffix in provider.suffixes}
TLD = st.text(string.ascii_lowercase, min_size=2, max_size=6)
HOST = st.tuples(st.lists(LABEL, min_size=1, max_size=4), TLD).map(lambda parts: ".".join([*parts[0], parts[1]]))
PROVIDER_HOST = st.tuples(st.lists(LABEL, min_size=1, max_size=3), st.sampled_from(SUFFIXES)).map(
    lambda parts: ".".join([*parts[0], parts[1]])
)


def test_each_documented_preset_gets_its_pattern() -> None:
    assert pattern_for("alt1.aspmx.l.google.com").pattern == "*.aspmx.l.google.com"
    assert pattern_for("aspmx.l.google.com").pattern == "aspmx.l.google.com"
    assert pattern_for("contoso-com.mail.protection.outlook.com").pattern == "*.mail.protection.outlook.com"
    assert pattern_for("in1-smtp.messagingengine.com").pattern == "*.messagingengine.com"
    assert pattern_for("mailsec.protonmail.ch").pattern == "*.protonmail.ch"
    assert pattern_for("mx2.zoho.eu").pattern == "*.zoho.eu"
    ses = pattern_for("inbound-smtp.eu-west-1.amazonaws.com")
    assert (ses.pattern, ses.provider) == ("inbound-smtp.eu-west-1.amazonaws.com", "Amazon SES inbound")
    assert all(provider.source.startswith("https://") for provider in MAIL_PROVIDERS)


@given(st.lists(st.one_of(HOST, PROVIDER_HOST), min_size=1, max_size=8), st.lists(HOST, max_size=3))
def test_patterns_cover_every_host_and_never_more_than_one_label(hosts: list[str], existing: list[str]) -> None:
    patterns = mx_patterns(hosts, existing)
    assert uncovered(hosts, patterns) == []
    assert patterns[: len(existing)] == existing
    for pattern in patterns[len(existing) :]:
        covered = [h for h in hosts if matching_pattern(h, [pattern]) is not None]
        assert covered, pattern  # no pattern for a host that is not there
        if pattern.startswith("*."):  # one label below the provider's suffix, or its documented depth
            suffix = pattern[2:]
            base = next(s for s in SUFFIXES if suffix == s or suffix.endswith("." + s))
            assert suffix.count(".") - base.count(".") == DEPTH[base] - 1 and base.count(".") >= 1
            assert all("." not in h[: -len(suffix) - 1] for h in covered)


@given(PROVIDER_HOST)
def test_a_host_deeper_than_a_preset_stays_exact(host: str) -> None:
    base = next(s for s in SUFFIXES if host.endswith("." + s))
    deeper = "x." * DEPTH[base] + host
    choice = pattern_for(deeper)
    assert choice.pattern == deeper


@given(st.lists(LABEL, min_size=1, max_size=3).map(".".join))
def test_dns_provider_from_name_servers(prefix: str) -> None:
    assert dns_provider_of([f"ns-1.awsdns-{prefix}.org", "ns-2.awsdns-02.net"]) == "route53"
    assert dns_provider_of(["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]) == "cloudflare"
    assert dns_provider_of([f"ns1.{prefix}.example"]) is None
    assert dns_provider_of(["ada.ns.cloudflare.com", f"ns1.{prefix}.example"]) is None  # mixed: named, not guessed
    assert dns_provider_of([f"{prefix}.ns.cloudflare.com.evil.example"]) is None


def test_stack_name_is_the_domain_with_dashes() -> None:
    assert stack_name_for("mail.example.co.uk") == "mail-example-co-uk"


@given(st.lists(st.one_of(HOST, PROVIDER_HOST), min_size=1, max_size=5), st.sampled_from(["route53", "cloudflare"]))
def test_stack_text_reads_back_exactly(hosts: list[str], provider: str) -> None:
    patterns = mx_patterns(hosts)
    choices = InitChoices("example.com", provider, "example.com", "testing", 86401, tuple(patterns), ("mailto:a@b.c",))
    text = edit_config(header(choices), block=region_entry(choices) + stack_entries(choices))  # a new stack file
    config = yaml.safe_load(text)["config"]
    assert config["mta-sts:policy"]["mx"] == patterns
    assert config["mta-sts:dns"] == {"provider": provider, "zone_name": "example.com"}
    assert config["mta-sts:reporting"]["rua"] == ["mailto:a@b.c"]


@given(st.lists(st.one_of(HOST, PROVIDER_HOST), min_size=1, max_size=5))
def test_patterns_from_well_formed_hosts_are_usable_as_written(hosts: list[str]) -> None:
    patterns = mx_patterns(hosts)
    assert unusable_patterns(patterns) == []


@given(HOST, st.sampled_from(["-", "_", " ", "\\", '"', "\n", "..", "é"]))
def test_a_host_that_is_not_exactly_what_it_seems_is_refused(host: str, bad: str) -> None:
    label, _, rest = host.partition(".")
    assert unusable_patterns([f"{label}{bad}-.{rest}"]) != []


@given(st.lists(LABEL, min_size=1, max_size=3))
def test_live_rua_values_the_stack_would_refuse_are_left_out(labels: list[str]) -> None:
    good = f"mailto:tlsrpt@{'.'.join(labels)}.example"
    kept, problems = split_rua([good, f"http://{labels[0]}.example/r", f"mailto:a,b@{labels[0]}.example"])
    assert kept == [good]
    assert len(problems) == 2
