"""DNS backends: TXT quoting/splitting per provider, zone look-ups, aliases, where records land."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.txt_values import cloudflare_txt, decode_txt, route53_txt, split_txt
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, Route53Dns, Route53DnsArgs
from tests.pulumi_mock import CLOUDFLARE_ACCOUNT_ID, ROUTE53_ZONE_ID, Recorder

LONG = "v=TLSRPTv1; rua=" + ",".join(f"mailto:reports-{i}@example.com" for i in range(12))  # > 255 bytes


# ---- pure TXT encoding ---------------------------------------------------------------------------
def test_short_values_are_written_as_they_are_on_route53_and_quoted_on_cloudflare() -> None:
    assert route53_txt("v=STSv1; id=abc;") == "v=STSv1; id=abc;"  # the provider adds the quotes
    assert cloudflare_txt("v=STSv1; id=abc;") == '"v=STSv1; id=abc;"'


def test_values_over_255_bytes_are_split_into_character_strings() -> None:
    assert len(LONG.encode()) > 255
    pieces = split_txt(LONG)
    assert [len(p.encode()) for p in pieces] == [255, len(LONG.encode()) - 255]
    assert route53_txt(LONG) == f'{pieces[0]}""{pieces[1]}'
    assert cloudflare_txt(LONG) == f'"{pieces[0]}" "{pieces[1]}"'


def test_splitting_never_cuts_a_utf8_character_and_decoding_gives_the_value_back() -> None:
    value = "note=" + "é" * 200  # 405 bytes, 2-byte characters
    assert all(len(p.encode()) <= 255 for p in split_txt(value))
    assert "".join(split_txt(value)) == value
    for tricky in (value, LONG, 'quote " and back\\slash ' * 20, ""):
        assert decode_txt(route53_txt(tricky)) == tricky
        assert decode_txt(cloudflare_txt(tricky)) == tricky


# ---- Route53 -------------------------------------------------------------------------------------
def test_route53_looks_the_zone_up_by_name_and_writes_split_txt(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_name="example.com"))
        dns.record("_smtp._tls.example.com", "TXT", [LONG])

    pulumi_mocks.run(program)
    [lookup] = pulumi_mocks.invoked("aws:route53/getZone:getZone")
    assert lookup.args["name"] == "example.com" and lookup.args["privateZone"] is False
    record = pulumi_mocks.one("aws:route53/record:Record")
    assert record.inputs["zoneId"] == ROUTE53_ZONE_ID
    assert record.inputs["records"] == [route53_txt(LONG)]
    assert record.inputs["name"] == "_smtp._tls.example.com" and record.inputs["type"] == "TXT"
    assert record.parent == pulumi_mocks.one("mta-sts:dns:Route53Dns").urn


def test_route53_with_a_zone_id_makes_no_lookup_and_aliases_are_a_and_aaaa(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z999"))
        dns.alias("mta-sts.example.com", "d1.cloudfront.net", "Z2FDTNDATAQYW2", resource_name="alias")

    pulumi_mocks.run(program)
    assert pulumi_mocks.invoked("aws:route53/getZone:getZone") == []
    records = pulumi_mocks.of_type("aws:route53/record:Record")
    assert sorted(r.inputs["type"] for r in records) == ["A", "AAAA"]
    for r in records:
        assert r.inputs["zoneId"] == "Z999"
        assert r.inputs["aliases"] == [
            {"name": "d1.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}
        ]


# ---- Cloudflare ----------------------------------------------------------------------------------
def test_cloudflare_looks_the_zone_up_by_name_and_quotes_txt(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = CloudflareDns("dns", CloudflareDnsArgs(zone_name="example.org"))
        dns.record("_smtp._tls.example.org", "TXT", [LONG])
        pulumi.export("account", dns.account_id)

    pulumi_mocks.run(program)
    [lookup] = pulumi_mocks.invoked("cloudflare:index/getZone:getZone")
    assert lookup.args["filter"] == {"name": "example.org", "match": "all"}
    record = pulumi_mocks.one("cloudflare:index/dnsRecord:DnsRecord")
    assert record.inputs["content"] == cloudflare_txt(LONG)
    assert record.inputs["zoneId"] == lookup_zone_id(pulumi_mocks)
    assert record.inputs["ttl"] == 300
    assert pulumi_mocks.stack_outputs["account"] == CLOUDFLARE_ACCOUNT_ID


def lookup_zone_id(rec: Recorder) -> str:
    from tests.pulumi_mock import INVOKES

    call = rec.invoked("cloudflare:index/getZone:getZone")[0]
    return str(INVOKES["cloudflare:index/getZone:getZone"](call)["zoneId"])  # type: ignore[arg-type]


def test_cloudflare_alias_is_a_cname_that_is_not_proxied(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = CloudflareDns("dns", CloudflareDnsArgs(zone_id="zone123"))
        dns.alias("mta-sts.example.org", "d1.cloudfront.net", "ignored", resource_name="alias")

    pulumi_mocks.run(program)
    assert pulumi_mocks.invoked("cloudflare:index/getZone:getZone") == []  # id given, account not needed
    record = pulumi_mocks.one("cloudflare:index/dnsRecord:DnsRecord")
    assert (record.inputs["type"], record.inputs["content"], record.inputs["proxied"]) == (
        "CNAME",
        "d1.cloudfront.net",
        False,
    )


def test_the_general_record_method_makes_mx_records_for_other_components(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        cf = CloudflareDns("cf", CloudflareDnsArgs(zone_id="zone123"))
        cf.record("tlsrpt.example.org", "MX", ["10 inbound-smtp.eu-west-1.amazonaws.com"])
        r53 = Route53Dns("r53", Route53DnsArgs(zone_id="Z1"))
        r53.record("tlsrpt.example.com", "MX", ["10 inbound-smtp.eu-west-1.amazonaws.com"])

    pulumi_mocks.run(program)
    cf_mx = pulumi_mocks.one("cloudflare:index/dnsRecord:DnsRecord")
    assert (cf_mx.inputs["priority"], cf_mx.inputs["content"]) == (10, "inbound-smtp.eu-west-1.amazonaws.com")
    assert "proxied" not in cf_mx.inputs
    r53_mx = pulumi_mocks.one("aws:route53/record:Record")
    assert r53_mx.inputs["records"] == ["10 inbound-smtp.eu-west-1.amazonaws.com"]
    assert r53_mx.name == "r53-tlsrpt-example-com-mx"


def test_a_zone_must_be_named_somehow(pulumi_mocks: Recorder) -> None:
    with pytest.raises(InputError, match="zone"):
        pulumi_mocks.run(lambda: Route53Dns("dns", Route53DnsArgs()))


@pytest.mark.parametrize("backend", ["route53", "cloudflare"])
def test_a_second_record_set_of_one_type_at_one_name_is_refused_naming_the_first(
    pulumi_mocks: Recorder, backend: str
) -> None:
    """Route53 would fail the deploy; Cloudflare would serve both, and two v=TLSRPTv1 records make
    senders send no reports at all."""

    def program() -> None:
        dns = (
            Route53Dns("dns", Route53DnsArgs(zone_id="Z1"))
            if backend == "route53"
            else CloudflareDns("dns", CloudflareDnsArgs(zone_id="zone123"))
        )
        dns.record("_smtp._tls.example.com", "TXT", ["v=TLSRPTv1; rua=mailto:a@example.com"], resource_name="mine")
        dns.record("_smtp._tls.example.com", "MX", ["10 mx.example.com"])  # another type: fine
        dns.record("_SMTP._tls.example.com.", "TXT", ["v=TLSRPTv1; rua=mailto:b@example.com"])

    with pytest.raises(InputError) as err:
        pulumi_mocks.run(program)
    [problem] = err.value.problems
    assert problem.field == "name"
    assert "already has a TXT record published through this DNS backend (resource 'mine')" in problem.reason


def test_an_alias_name_cannot_also_get_a_plain_record(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z1"))
        dns.alias("mta-sts.example.com", "d111.cloudfront.net", "Z2FDTNDATAQYW2")
        dns.record("mta-sts.example.com", "AAAA", ["2001:db8::1"])

    with pytest.raises(InputError, match="already has a AAAA record"):
        pulumi_mocks.run(program)


def test_a_cname_cannot_share_its_name_with_another_record(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = CloudflareDns("dns", CloudflareDnsArgs(zone_id="zone123"))
        dns.alias("mta-sts.example.com", "mta-sts.example.workers.dev")
        dns.record("mta-sts.example.com", "TXT", ["hello"])

    with pytest.raises(InputError, match=r"already has a CNAME record \(resource 'dns-mta-sts-example-com-cname'\)"):
        pulumi_mocks.run(program)


# ---- taking over records already in the zone -----------------------------------------------------
def test_route53_takes_over_only_when_asked(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z999"))
        dns.record("plain.example.com", "CNAME", ["a.example.net"], resource_name="plain")
        dns.takeover_record("_x.mta-sts.example.com", "CNAME", ["_y.acm-validations.aws"], resource_name="taken")
        dns.takeover_alias("mta-sts.example.com", "d1.cloudfront.net", "Z2FDTNDATAQYW2", resource_name="alias")

    pulumi_mocks.run(program)
    overwrite = {r.name: r.inputs.get("allowOverwrite") for r in pulumi_mocks.of_type("aws:route53/record:Record")}
    assert overwrite == {"plain": None, "taken": True, "alias-a": True, "alias-aaaa": True}


def test_cloudflare_has_no_overwrite_and_takes_over_like_a_plain_record(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = CloudflareDns("dns", CloudflareDnsArgs(zone_id="0" * 32, account_id="1" * 32))
        dns.takeover_record("_x.mta-sts.example.com", "CNAME", ["_y.acm-validations.aws"], resource_name="taken")
        dns.takeover_alias("mta-sts.example.com", "d1.cloudfront.net", resource_name="alias")

    pulumi_mocks.run(program)
    records = pulumi_mocks.of_type("cloudflare:index/dnsRecord:DnsRecord")
    assert sorted(r.name for r in records) == ["alias", "taken"]
    assert all("allowOverwrite" not in r.inputs for r in records)


def test_a_route53_subclass_with_its_own_alias_keeps_it_when_taking_over(pulumi_mocks: Recorder) -> None:
    """A user's backend that overrides ``alias`` is never sent an overwrite it did not ask for."""

    class OwnAlias(Route53Dns):
        def alias(
            self, name: str, target: pulumi.Input[str], *args: object, **kwargs: object
        ) -> list[pulumi.CustomResource]:
            return self.record(name, "CNAME", [target], resource_name="own")

    pulumi_mocks.run(
        lambda: OwnAlias("dns", Route53DnsArgs(zone_id="Z1")).takeover_alias(
            "mta-sts.example.com", "t.example", resource_name="x"
        )
    )
    [record] = pulumi_mocks.of_type("aws:route53/record:Record")
    assert (record.name, record.inputs["type"], record.inputs.get("allowOverwrite")) == ("own", "CNAME", None)
