"""The AWS policy host (S3 + CloudFront + ACM) under the mock engine, with either DNS backend.

Checks the whole resource set, the key inputs and that nothing is public.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import records_for
from pulumi_mta_sts.hosting.edge_code import NOT_FOUND_KEY, POLICY_KEY
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.spec import DnsConfig
from tests.pulumi_mock import CACHING_DISABLED_POLICY_ID, CLOUDFRONT_ZONE_ID, Recorder, depends_on
from tests.strategies import domain_under

POLICY = Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 86401)
RUA = ["mailto:tlsrpt@example.com"]

DNS_RECORD = {"route53": "aws:route53/record:Record", "cloudflare": "cloudflare:index/dnsRecord:DnsRecord"}
DNS_COMPONENT = {"route53": "mta-sts:dns:Route53Dns", "cloudflare": "mta-sts:dns:CloudflareDns"}


def deploy(rec: Recorder, provider: str) -> None:
    args = MtaStsArgs(
        domain="example.com",
        policy=POLICY,
        dns=DnsConfig(provider, zone_name="example.com"),
        host="cloudfront",
        rua=RUA,
    )
    rec.run(lambda: MtaSts("example-com", args))


@pytest.fixture(params=["route53", "cloudflare"])
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rec(pulumi_mocks: Recorder, provider: str) -> Recorder:
    deploy(pulumi_mocks, provider)
    return pulumi_mocks


def test_the_full_set_of_resources(rec: Recorder, provider: str) -> None:
    expected = {
        "mta-sts:index:MtaSts": 1,
        DNS_COMPONENT[provider]: 1,
        "mta-sts:hosting:CloudFrontHost": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
        "aws:s3/bucketObjectv2:BucketObjectv2": 2,  # the policy and the 404 text
        "aws:s3/bucketPolicy:BucketPolicy": 1,
        "aws:acm/certificate:Certificate": 1,
        "aws:acm/certificateValidation:CertificateValidation": 1,
        "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
        "aws:cloudfront/function:Function": 1,
        "aws:cloudfront/distribution:Distribution": 1,
        "pulumi-python:dynamic/mtasts:PolicyLive": 1,
        # validation CNAME + host alias (A+AAAA on Route53, one CNAME on Cloudflare) + 2 TXT
        DNS_RECORD[provider]: 1 + (2 if provider == "route53" else 1) + 2,
    }
    assert Counter(r.type for r in rec.resources) == expected


def test_bucket_is_private_encrypted_and_without_acls(rec: Recorder) -> None:
    block = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert {
        k: block.inputs[k]
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    } == {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    bucket = rec.one("aws:s3/bucket:Bucket")
    assert block.inputs["bucket"] == bucket.id
    assert "acl" not in bucket.inputs and "website" not in bucket.inputs and "policy" not in bucket.inputs
    ownership = rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    sse = rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_bucket_policy_denies_plain_http_and_lets_only_this_distribution_read_two_keys(rec: Recorder) -> None:
    bucket = rec.one("aws:s3/bucket:Bucket")
    distribution = rec.one("aws:cloudfront/distribution:Distribution")
    document = json.loads(rec.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    deny, allow = document["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [bucket.state["arn"], f"{bucket.state['arn']}/*"]
    assert allow["Effect"] == "Allow"
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution.state["arn"]}}
    assert allow["Resource"] == [f"{bucket.state['arn']}/{POLICY_KEY}", f"{bucket.state['arn']}/{NOT_FOUND_KEY}"]
    statements = document["Statement"]
    assert not any(s["Effect"] == "Allow" and s["Principal"] in ("*", {"AWS": "*"}) for s in statements)


def test_policy_object_is_exactly_the_rendered_policy_as_text_plain(rec: Recorder) -> None:
    objects = {o.inputs["key"]: o for o in rec.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    policy_object = objects[".well-known/mta-sts.txt"]
    assert policy_object.inputs["content"] == POLICY.render()
    assert policy_object.inputs["contentType"] == "text/plain; charset=utf-8"
    assert "acl" not in policy_object.inputs
    assert objects[NOT_FOUND_KEY].inputs["contentType"] == "text/plain; charset=utf-8"
    assert "MTA-STS policy of example.com" in objects[NOT_FOUND_KEY].inputs["content"]


def test_certificate_is_in_us_east_1_and_validated_through_the_chosen_dns_backend(rec: Recorder, provider: str) -> None:
    cert = rec.one("aws:acm/certificate:Certificate")
    assert cert.inputs["region"] == "us-east-1"
    assert cert.inputs["domainName"] == "mta-sts.example.com"
    assert cert.inputs["validationMethod"] == "DNS"
    option = cert.state["domainValidationOptions"][0]
    [cname] = [r for r in rec.of_type(DNS_RECORD[provider]) if r.name.endswith("certificate-validation-cname")]
    assert cname.parent == rec.one(DNS_COMPONENT[provider]).urn  # lands in the chosen backend
    assert cname.inputs["name"] == option["resourceRecordName"].rstrip(".")
    assert cname.inputs["type"] == "CNAME"
    value = cname.inputs["records"][0] if provider == "route53" else cname.inputs["content"]
    assert value == option["resourceRecordValue"].rstrip(".")
    validation = rec.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["region"] == "us-east-1"
    assert validation.inputs["certificateArn"] == cert.state["arn"]
    assert depends_on(validation, cname)  # it waits for the record


def test_distribution_is_https_only_tls12_ipv6_uncached_and_uses_the_validated_certificate(rec: Recorder) -> None:
    dist = rec.one("aws:cloudfront/distribution:Distribution")
    inputs = dist.inputs
    assert inputs["aliases"] == ["mta-sts.example.com"]
    assert inputs["isIpv6Enabled"] is True
    behavior = inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "https-only"
    assert behavior["allowedMethods"] == ["GET", "HEAD"]
    assert behavior["cachePolicyId"] == CACHING_DISABLED_POLICY_ID
    assert [c.args["name"] for c in rec.invoked("aws:cloudfront/getCachePolicy:getCachePolicy")] == [
        "Managed-CachingDisabled"
    ]
    viewer = inputs["viewerCertificate"]
    assert viewer["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert viewer["sslSupportMethod"] == "sni-only"
    assert viewer["acmCertificateArn"] == rec.one("aws:acm/certificate:Certificate").state["arn"]
    assert depends_on(dist, rec.one("aws:acm/certificateValidation:CertificateValidation"))
    [origin] = inputs["origins"]
    assert origin["originAccessControlId"] == rec.one("aws:cloudfront/originAccessControl:OriginAccessControl").id
    assert origin["domainName"] == rec.one("aws:s3/bucket:Bucket").state["bucketRegionalDomainName"]
    assert "s3OriginConfig" not in origin and "customOriginConfig" not in origin  # no legacy OAI, no website


def test_every_other_path_is_a_404_with_the_explanatory_text(rec: Recorder) -> None:
    dist = rec.one("aws:cloudfront/distribution:Distribution")
    errors = {e["errorCode"]: e for e in dist.inputs["customErrorResponses"]}
    assert set(errors) == {403, 404}
    assert all(e["responseCode"] == 404 and e["responsePagePath"] == f"/{NOT_FOUND_KEY}" for e in errors.values())
    function = rec.one("aws:cloudfront/function:Function")
    assert function.inputs["runtime"] == "cloudfront-js-2.0" and function.inputs["publish"] is True
    [assoc] = dist.inputs["defaultCacheBehavior"]["functionAssociations"]
    assert assoc == {"eventType": "viewer-request", "functionArn": function.state["arn"]}
    oac = rec.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert (oac.inputs["originAccessControlOriginType"], oac.inputs["signingBehavior"]) == ("s3", "always")


def test_host_name_points_at_the_distribution(rec: Recorder, provider: str) -> None:
    dist = rec.one("aws:cloudfront/distribution:Distribution")
    aliases = [r for r in rec.of_type(DNS_RECORD[provider]) if r.inputs["name"] == "mta-sts.example.com"]
    if provider == "route53":
        assert sorted(r.inputs["type"] for r in aliases) == ["A", "AAAA"]
        for r in aliases:
            assert r.inputs["aliases"] == [
                {"name": dist.state["domainName"], "zoneId": CLOUDFRONT_ZONE_ID, "evaluateTargetHealth": False}
            ]
    else:
        [cname] = aliases
        assert (cname.inputs["type"], cname.inputs["content"], cname.inputs["proxied"]) == (
            "CNAME",
            dist.state["domainName"],
            False,
        )


def test_txt_values_are_exactly_what_the_policy_core_renders(rec: Recorder, provider: str) -> None:
    from pulumi_mta_sts.core.txt_values import decode_txt

    def value(r: RecordedResource) -> str:
        return decode_txt(r.inputs["records"][0] if provider == "route53" else r.inputs["content"])

    published = {r.inputs["name"]: value(r) for r in rec.of_type(DNS_RECORD[provider]) if r.inputs["type"] == "TXT"}
    assert published == {r.name: r.value for r in records_for("example.com", POLICY, RUA)}


def test_the_mta_sts_txt_waits_for_the_served_policy(rec: Recorder, provider: str) -> None:
    [txt] = [r for r in rec.of_type(DNS_RECORD[provider]) if r.inputs["name"] == "_mta-sts.example.com"]
    live = rec.one("pulumi-python:dynamic/mtasts:PolicyLive")
    assert depends_on(txt, live)
    assert live.inputs["url"] == "https://mta-sts.example.com/.well-known/mta-sts.txt"
    assert live.inputs["policy_text"] == POLICY.render()
    for serving in ("example-com-host-policy", "example-com-host-cdn", "example-com-host-bucket-policy"):
        assert depends_on(live, serving)
    [tlsrpt] = [r for r in rec.of_type(DNS_RECORD[provider]) if r.inputs["name"] == "_smtp._tls.example.com"]
    assert not depends_on(tlsrpt, live)  # nothing to wait for


# ---- adopting what is already there (issue 13) ---------------------------------------------------
def test_the_validation_cname_and_the_alias_overwrite_earlier_records_on_route53(rec: Recorder, provider: str) -> None:
    """ACM gives every certificate for one name in one account the same validation record, and a
    hand-made setup leaves A/AAAA at mta-sts.<domain>: Route53 takes both over (one UPSERT).
    Cloudflare has no overwrite (its provider dropped ``allow_overwrite``): nothing is sent."""
    records = rec.of_type(DNS_RECORD[provider])
    taken_over = {r.name for r in records if r.inputs.get("allowOverwrite") is True}
    if provider == "route53":
        assert taken_over == {
            "example-com-host-certificate-validation-cname",
            "example-com-host-alias-a",
            "example-com-host-alias-aaaa",
        }
    else:
        assert taken_over == set()
    # the TXT records never overwrite: a hand-made one is adopted on purpose (pulumi import)
    assert all("allowOverwrite" not in r.inputs for r in records if r.inputs.get("type") == "TXT")


def _domain_of_length(length: int) -> str:
    """A valid domain of exactly ``length`` characters: labels of at most 63, ending in ``.com``."""
    body, labels = length - len(".com"), []
    while body > 0:
        label = min(body, 63) if body != 64 else 62  # never leave a lone dot's worth
        labels.append("a" * label)
        body -= label + 1
    return ".".join(labels) + ".com"


@pytest.mark.parametrize("length", [40, 56, 57, 60, 64])
def test_the_certificate_names_fit_acms_64_character_common_name(pulumi_mocks: Recorder, length: int) -> None:
    domain = _domain_of_length(length)
    assert len(domain) == length
    host = f"mta-sts.{domain}"
    args = MtaStsArgs(domain=domain, policy=POLICY, dns=DnsConfig("route53", zone_id="Z1"), host="cloudfront")
    pulumi_mocks.run(lambda: MtaSts("long", args))
    cert = pulumi_mocks.one("aws:acm/certificate:Certificate")
    names = [cert.inputs["domainName"], *cert.inputs.get("subjectAlternativeNames", [])]
    assert len(cert.inputs["domainName"]) <= 64
    assert sorted(names) == sorted({host, domain} if len(host) > 64 else {host})
    cnames = [r for r in pulumi_mocks.of_type(DNS_RECORD["route53"]) if "certificate-validation-cname" in r.name]
    options = {o["domainName"]: o["resourceRecordName"].rstrip(".") for o in cert.state["domainValidationOptions"]}
    assert sorted(r.inputs["name"] for r in cnames) == sorted(options[name] for name in names)  # every name validated
    validation = pulumi_mocks.one("aws:acm/certificateValidation:CertificateValidation")
    assert all(depends_on(validation, r) for r in cnames)


@pytest.mark.parametrize("length", [65, 100, 200])
def test_a_domain_too_long_for_any_acm_common_name_is_refused_naming_the_field(
    pulumi_mocks: Recorder, length: int
) -> None:
    domain = _domain_of_length(length)
    args = MtaStsArgs(domain=domain, policy=POLICY, dns=DnsConfig("route53", zone_id="Z1"), host="cloudfront")
    with pytest.raises(Exception, match=r"domain.*64 characters.*host\.kind: worker") as raised:
        pulumi_mocks.run(lambda: MtaSts("long", args))
    assert "Traceback" not in str(raised.value)
    assert not pulumi_mocks.of_type("aws:acm/certificate:Certificate")


@pytest.mark.parametrize("provider", ["route53", "cloudflare"])
@pytest.mark.parametrize(("length", "zone_length"), [(65, 63), (66, 64), (70, 20), (200, 64)])
def test_a_domain_longer_than_64_takes_the_zone_apex_as_first_name(
    pulumi_mocks: Recorder, provider: str, length: int, zone_length: int
) -> None:
    zone = _domain_of_length(zone_length)
    domain = domain_under(zone, length)
    assert (len(domain), len(zone)) == (length, zone_length)
    host = f"mta-sts.{domain}"
    args = MtaStsArgs(domain=domain, policy=POLICY, dns=DnsConfig(provider, zone_name=zone), host="cloudfront")
    pulumi_mocks.run(lambda: MtaSts("long", args))
    cert = pulumi_mocks.one("aws:acm/certificate:Certificate")
    assert (cert.inputs["domainName"], cert.inputs["subjectAlternativeNames"]) == (zone, [host])
    options = {o["domainName"]: o["resourceRecordName"].rstrip(".") for o in cert.state["domainValidationOptions"]}
    cnames = [r for r in pulumi_mocks.of_type(DNS_RECORD[provider]) if "certificate-validation-cname" in r.name]
    assert sorted(r.inputs["name"] for r in cnames) == sorted(options.values())  # both through the stack's DNS
    assert {r.name.removeprefix("long-host-certificate-validation-") for r in cnames} == {"cname", "cname-zone"}
    validation = pulumi_mocks.one("aws:acm/certificateValidation:CertificateValidation")
    assert sorted(validation.inputs["validationRecordFqdns"]) == sorted(options.values())  # every name, as ACM asks


@pytest.mark.parametrize(("length", "zone_length"), [(65, 65), (80, 70)])
def test_no_name_that_fits_is_refused_naming_the_domain_and_the_zone(
    pulumi_mocks: Recorder, length: int, zone_length: int
) -> None:
    zone = _domain_of_length(zone_length)
    domain = zone if length == zone_length else domain_under(zone, length)
    args = MtaStsArgs(domain=domain, policy=POLICY, dns=DnsConfig("route53", zone_name=zone), host="cloudfront")
    with pytest.raises(Exception, match=r"domain.*zone apex.*host\.kind: worker") as raised:
        pulumi_mocks.run(lambda: MtaSts("long", args))
    assert "Traceback" not in str(raised.value)
    assert not pulumi_mocks.of_type("aws:acm/certificate:Certificate")
