"""AWS policy host (``mta-sts:hosting:CloudFrontHost``): private S3 bucket + CloudFront + ACM
(docs/deploying.md, "Route53 or Cloudflare, CloudFront or Worker").

Only this distribution reads the bucket, and only the policy and the 404 page. The certificate is
in ``us-east-1`` (the only region CloudFront takes), its first name at most 64 characters. The
distribution answers HTTPS only (plain HTTP is 403, never redirected: senders do not follow
redirects, RFC 8461 §3.3), TLS 1.2 or later, and caches nothing (pulumi-aws has no invalidation:
an edited policy is served at once); every other path is 404. The helpers below are the fleet's
too (:mod:`.shared_cloudfront`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem, provider_sdk
from pulumi_mta_sts.core.names import (
    CLOUDFRONT_FUNCTION,
    CLOUDFRONT_OAC,
    S3_BUCKET,
    autoname_base,
    certificate_common_name,
    common_name_problem,
    physical_name,
)
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.spec.rules import price_class_problems, tags_problems

with provider_sdk("CloudFrontHost"):
    import pulumi_aws as aws

from .base import HostParts, HostRecord, PolicyHost, dns_backend_problems
from .edge_code import NOT_FOUND_KEY, POLICY_KEY, RUNTIME, not_found_text, viewer_request_code
from .private_bucket import BucketNames, private_bucket, tls_only_statement

ACM_REGION = "us-east-1"
ORIGIN_ID = "policy-bucket"


@dataclass(frozen=True)
class CloudFrontHostArgs:
    """Arguments of :class:`CloudFrontHost`: ``dns`` (any backend) gets the certificate's validation
    records and the host's alias; ``tags`` go on the taggable AWS resources."""

    domain: str
    policy: Policy
    dns: DnsBackend
    price_class: str = defaults.PRICE_CLASS
    tags: dict[str, str] = field(default_factory=dict)


def bucket_policy_document(bucket_arn: str, distribution_arn: str) -> dict[str, Any]:
    """No request without TLS; this distribution reads the policy and the 404 page only (nothing
    can list the bucket, so any other key is 403 for CloudFront, turned into the 404 page)."""
    read = {
        "Sid": "AllowThisCloudFrontDistributionToReadThePolicy",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": [f"{bucket_arn}/{POLICY_KEY}", f"{bucket_arn}/{NOT_FOUND_KEY}"],
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }
    return {"Version": "2012-10-17", "Statement": [tls_only_statement(bucket_arn, "DenyInsecureTransport"), read]}


def cache_behaviour(
    cache_policy_id: pulumi.Input[str], function_arn: pulumi.Input[str], origin_id: str = ORIGIN_ID
) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgs:
    """GET/HEAD only, HTTPS only, nothing cached, the viewer-request function on every request."""
    return aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id=origin_id,
        viewer_protocol_policy="https-only",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id=cache_policy_id,
        compress=False,
        function_associations=[
            aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                event_type="viewer-request", function_arn=function_arn
            )
        ],
    )


def distribution(
    resource_name: str,
    origin: aws.cloudfront.DistributionOriginArgs,
    behaviour: aws.cloudfront.DistributionDefaultCacheBehaviorArgs,
    certificate_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    **settings: Any,
) -> aws.cloudfront.Distribution:
    """The toolkit's one CloudFront set-up (module docs); ``settings`` add the rest."""
    return aws.cloudfront.Distribution(
        resource_name,
        enabled=True,
        is_ipv6_enabled=True,
        http_version="http2and3",
        origins=[origin],
        default_cache_behavior=behaviour,
        restrictions={"geo_restriction": {"restriction_type": "none"}},  # senders fetch from anywhere
        viewer_certificate={
            "acm_certificate_arn": certificate_arn,
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": "TLSv1.2_2021",
        },
        wait_for_deployment=True,
        opts=pulumi.ResourceOptions(parent=parent),
        **settings,
    )


def caching_disabled_policy_id(parent: pulumi.Resource) -> pulumi.Output[str]:
    """The id of the AWS managed ``CachingDisabled`` cache policy."""
    cache_policy = aws.cloudfront.get_cache_policy_output(
        name="Managed-CachingDisabled", opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return cache_policy.apply(lambda p: str(p.id))


def certificate(
    resource_name: str, first: str, alternatives: Sequence[str], tags: dict[str, str], parent: pulumi.Resource
) -> aws.acm.Certificate:
    """An ACM certificate in us-east-1 for ``first`` and ``alternatives``, validated by DNS."""
    return aws.acm.Certificate(
        resource_name,
        domain_name=first,
        subject_alternative_names=list(alternatives) or None,
        validation_method="DNS",
        region=ACM_REGION,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def validated_arn(
    resource_name: str,
    certificate: aws.acm.Certificate,
    fqdns: Sequence[pulumi.Input[str]],
    records: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """The certificate's ARN once ACM has validated it (``fqdns``: its validation records' names)."""
    validation = aws.acm.CertificateValidation(
        resource_name,
        certificate_arn=certificate.arn,
        validation_record_fqdns=list(fqdns),
        region=ACM_REGION,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(records)),
    )
    return validation.certificate_arn


def validation_cname(certificate: aws.acm.Certificate, name: str) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """The name and the target of the validation CNAME ACM gives ``name`` on ``certificate``."""
    option = certificate.domain_validation_options.apply(
        lambda options: next(o for o in options if str(o.domain_name).rstrip(".").lower() == name)
    )
    return option.apply(lambda o: str(o.resource_record_name).rstrip(".")), option.apply(
        lambda o: str(o.resource_record_value).rstrip(".")
    )


def validation_record(
    dns: DnsBackend, certificate: aws.acm.Certificate, name: str, resource_name: str
) -> list[pulumi.CustomResource]:
    """The validation CNAME of ``name``, through ``dns``. ACM gives every certificate for one name in
    one account the same record: one made before (by hand, another stack, the certificate being
    replaced) is taken over, not duplicated."""
    record_name, target = validation_cname(certificate, name)
    return dns.takeover_record(record_name, "CNAME", [target], resource_name=resource_name)


class CloudFrontHost(PolicyHost[CloudFrontHostArgs]):
    """Serves the policy from a private S3 bucket through CloudFront (module docs)."""

    kind: ClassVar[str] = "cloudfront"
    type_token: ClassVar[str] = "mta-sts:hosting:CloudFrontHost"

    bucket: aws.s3.Bucket
    policy_object: aws.s3.BucketObjectv2
    certificate: aws.acm.Certificate
    distribution: aws.cloudfront.Distribution
    bucket_policy: aws.s3.BucketPolicy

    @classmethod
    def problems(cls, args: CloudFrontHostArgs) -> list[Problem]:
        zone = args.dns.zone_name if isinstance(args.dns, DnsBackend) else None
        return [
            *filter(None, [common_name_problem(args.domain, zone=zone)]),
            *dns_backend_problems(args.dns),
            *price_class_problems(args.price_class),
            *tags_problems(args.tags),
        ]

    def build(self, name: str, args: CloudFrontHostArgs) -> HostParts:
        tags = {"mta-sts:domain": self.domain, **args.tags}
        # Autonamed: its logical name is today's where that fits, else cut with a hash (core/names.py).
        storage = private_bucket(
            BucketNames.around(autoname_base(S3_BUCKET, f"{name}-bucket"), name), parent=self, tags=tags
        )
        self.bucket = storage.bucket
        after_setup = pulumi.ResourceOptions(parent=self, depends_on=storage.setup)
        self.policy_object, not_found = (
            aws.s3.BucketObjectv2(
                f"{name}-{suffix}",
                bucket=storage.bucket.id,
                key=key,
                content=content,
                content_type="text/plain; charset=utf-8",
                cache_control="no-cache",
                server_side_encryption="AES256",
                tags=tags,
                opts=after_setup,
            )
            for suffix, key, content in (
                ("policy", POLICY_KEY, args.policy.render()),
                ("not-found", NOT_FOUND_KEY, not_found_text(self.domain)),
            )
        )
        self.distribution = self._distribution(name, args.price_class, self._certificate(name, args.dns, tags), tags)
        self.bucket_policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, self.distribution.arn).apply(
                lambda arns: json.dumps(bucket_policy_document(str(arns[0]), str(arns[1])))
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[storage.public_access]),
        )
        # A hand-made A/AAAA record there is taken over in one step where the provider can (Route53
        # UPSERT): the old host serves until the alias does.
        cdn = self.distribution.domain_name
        aliases = args.dns.takeover_alias(
            self.hostname, cdn, self.distribution.hosted_zone_id, resource_name=f"{name}-alias"
        )
        return HostParts(
            serving=[self.policy_object, not_found, self.bucket_policy, self.distribution, *aliases],
            host_records=[HostRecord(self.hostname, rtype, cdn) for rtype in args.dns.alias_record_types],
            details={
                "bucket": self.bucket.bucket,
                "distribution_id": self.distribution.id,
                "distribution_domain_name": cdn,
                "certificate_arn": self.certificate.arn,
            },
        )

    def _certificate(self, name: str, dns: DnsBackend, tags: dict[str, str]) -> pulumi.Output[str]:
        """The certificate, validated by a CNAME in ``dns`` per name; its ARN once validated."""
        first = certificate_common_name(self.hostname, self.domain, dns.zone_name) or self.hostname
        alternatives = [] if first == self.hostname else [self.hostname]
        self.certificate = certificate(f"{name}-certificate", first, alternatives, tags, self)
        names = {self.hostname: f"{name}-certificate-validation-cname"}
        if first != self.hostname:
            names[first] = f"{name}-certificate-validation-cname-{'domain' if first == self.domain else 'zone'}"
        records = [
            record
            for host, resource_name in names.items()
            for record in validation_record(dns, self.certificate, host, resource_name)
        ]
        return validated_arn(
            f"{name}-certificate-validation", self.certificate, dns.record_names(records), records, self
        )

    def _distribution(
        self, name: str, price_class: str, certificate_arn: pulumi.Output[str], tags: dict[str, str]
    ) -> aws.cloudfront.Distribution:
        """The distribution, its origin access control, and the function sending other paths to the 404 page."""
        child = pulumi.ResourceOptions(parent=self)
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=physical_name(CLOUDFRONT_OAC, "mta-sts", self.domain),
            description=f"MTA-STS policy of {self.domain}",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        rewrite = aws.cloudfront.Function(
            f"{name}-only-policy",
            name=physical_name(CLOUDFRONT_FUNCTION, "mta-sts-only-policy", self.domain),
            runtime=RUNTIME,
            comment=f"MTA-STS host of {self.domain}: every path but the policy is 404",
            code=viewer_request_code(),
            publish=True,
            opts=child,
        )
        origin = aws.cloudfront.DistributionOriginArgs(
            origin_id=ORIGIN_ID, domain_name=self.bucket.bucket_regional_domain_name, origin_access_control_id=oac.id
        )
        # 403 (a key CloudFront may not read) and 404 both become the 404 page, never cached.
        errors = [
            {
                "error_code": code,
                "response_code": 404,
                "response_page_path": f"/{NOT_FOUND_KEY}",
                "error_caching_min_ttl": 0,
            }
            for code in (403, 404)
        ]
        return distribution(
            f"{name}-cdn",
            origin,
            cache_behaviour(caching_disabled_policy_id(self), rewrite.arn),
            certificate_arn,
            self,
            comment=f"MTA-STS policy of {self.domain}",
            aliases=[self.hostname],
            price_class=price_class,
            custom_error_responses=errors,
            tags=tags,
        )
