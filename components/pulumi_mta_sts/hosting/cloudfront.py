"""AWS policy host: private S3 bucket + CloudFront (Origin Access Control) + ACM in us-east-1.

What :class:`CloudFrontHost` (``mta-sts:hosting:CloudFrontHost``) creates:

- an S3 bucket, private: all four public-access blocks on, object ownership enforced (no
  ACLs), default encryption SSE-S3 (AES256), and a bucket policy that denies every request not
  made over TLS (``aws:SecureTransport``) and lets only *this* CloudFront distribution read
  (service principal ``cloudfront.amazonaws.com``, condition ``AWS:SourceArn``) exactly two
  keys: the policy and the 404 page;
- the policy object ``.well-known/mta-sts.txt`` with ``Content-Type: text/plain;
  charset=utf-8`` and exactly the rendered policy bytes;
- an ACM certificate for ``mta-sts.<domain>`` in ``us-east-1`` (CloudFront only takes
  certificates from there; pulumi-aws 7 takes ``region`` per resource), validated by a DNS
  record in the chosen DNS backend (``CertificateValidation`` waits for it). ACM's first name is
  at most 64 characters: when the host is longer it is an alternative name and the first name is
  the mail domain, or when that is longer too the zone apex (``dns.zone_name``), each validated
  through the same backend;
- a CloudFront distribution with the alias ``mta-sts.<domain>``, IPv6 on, viewer protocol
  policy ``https-only`` (plain HTTP is refused with 403, never redirected: RFC 8461 senders
  do not follow redirects and only fetch over HTTPS, so a redirect would only hide a
  mistake), minimum TLS ``TLSv1.2_2021``, SNI; the AWS managed ``CachingDisabled`` cache
  policy, so a changed policy object is served on the next request (pulumi-aws has no
  invalidation resource; the policy is a few hundred bytes, so not caching costs nothing);
  a viewer-request CloudFront Function and custom error responses answer every other path
  404 with a short text saying what the host is for;
- DNS: ``mta-sts.<domain>`` → the distribution (alias ``A`` + ``AAAA`` on Route53, a
  ``CNAME`` that is not proxied on Cloudflare).
"""

from __future__ import annotations

import json
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
from .cloudfront_function import NOT_FOUND_KEY, POLICY_KEY, RUNTIME, viewer_request_code
from .private_bucket import BucketNames, PrivateBucket, private_bucket
from .worker_script import not_found_text

__all__ = [
    "ACM_REGION",
    "CACHE_POLICY_NAME",
    "MIN_TLS",
    "POLICY_CONTENT_TYPE",
    "VIEWER_PROTOCOL_POLICY",
    "CloudFrontHost",
    "CloudFrontHostArgs",
    "bucket_policy_document",
    "cache_behaviour",
    "caching_disabled_policy_id",
    "no_restrictions",
    "validation_option",
    "validation_record",
    "viewer_certificate",
]

ACM_REGION = "us-east-1"
MIN_TLS = "TLSv1.2_2021"
VIEWER_PROTOCOL_POLICY = "https-only"
CACHE_POLICY_NAME = "Managed-CachingDisabled"
POLICY_CONTENT_TYPE = "text/plain; charset=utf-8"
CLOUDFRONT_SERVICE = "cloudfront.amazonaws.com"
ORIGIN_ID = "policy-bucket"


@dataclass(frozen=True)
class CloudFrontHostArgs:
    """Arguments of :class:`CloudFrontHost`."""

    domain: str
    """The mail domain; the host is ``mta-sts.<domain>``."""
    policy: Policy
    """The policy to serve (its canonical bytes are uploaded)."""
    dns: DnsBackend
    """Where the certificate validation record and the host's alias go (any backend)."""
    price_class: str = defaults.PRICE_CLASS
    """CloudFront price class (edge locations used); ``PriceClass_100`` is the cheapest."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for the taggable AWS resources."""


def bucket_policy_document(bucket_arn: str, distribution_arn: str) -> dict[str, Any]:
    """The bucket policy: deny any non-TLS request; allow this distribution to read exactly
    the policy object and the 404 page (nothing can list the bucket, so any other key is 403
    for CloudFront, turned into the 404 page)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowThisCloudFrontDistributionToReadThePolicy",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDFRONT_SERVICE},
                "Action": "s3:GetObject",
                "Resource": [f"{bucket_arn}/{POLICY_KEY}", f"{bucket_arn}/{NOT_FOUND_KEY}"],
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            },
        ],
    }


def cache_behaviour(
    cache_policy_id: pulumi.Input[str], function_arn: pulumi.Input[str], origin_id: str = ORIGIN_ID
) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgs:
    """GET/HEAD only, HTTPS only, nothing cached, the viewer-request function on every request
    (shared with the fleet's distributions, :mod:`.shared_cloudfront`)."""
    return aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id=origin_id,
        viewer_protocol_policy=VIEWER_PROTOCOL_POLICY,
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


def viewer_certificate(certificate_arn: pulumi.Input[str]) -> aws.cloudfront.DistributionViewerCertificateArgs:
    """The validated ACM certificate, SNI only, TLS 1.2 or later (:data:`MIN_TLS`)."""
    return aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=certificate_arn,
        ssl_support_method="sni-only",
        minimum_protocol_version=MIN_TLS,
    )


def no_restrictions() -> aws.cloudfront.DistributionRestrictionsArgs:
    """No geographic restriction: senders fetch from anywhere."""
    return aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
    )


def caching_disabled_policy_id(parent: pulumi.Resource) -> pulumi.Output[str]:
    """The id of the AWS managed ``CachingDisabled`` cache policy (a changed policy is served
    on the next request)."""
    cache_policy = aws.cloudfront.get_cache_policy_output(
        name=CACHE_POLICY_NAME, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return cache_policy.apply(lambda p: str(p.id))


def validation_option(certificate: aws.acm.Certificate, name: str) -> pulumi.Output[Any]:
    """The certificate's entry of ``domain_validation_options`` for ``name`` (the order of the
    entries is the provider's, not the order the names were asked in)."""
    return certificate.domain_validation_options.apply(
        lambda options: next(o for o in options if str(o.domain_name).rstrip(".").lower() == name)
    )


def validation_record(dns: DnsBackend, option: pulumi.Output[Any], resource_name: str) -> list[pulumi.CustomResource]:
    """The DNS validation CNAME of one name of an ACM certificate (``option``: its entry of
    ``domain_validation_options``), published through ``dns``. ACM gives every certificate for
    one name in one account the same validation record: one made for an earlier certificate
    (by hand, another stack, the certificate being replaced) is taken over, not duplicated."""
    return dns.takeover_record(
        option.apply(lambda o: str(o.resource_record_name).rstrip(".")),
        "CNAME",
        [option.apply(lambda o: str(o.resource_record_value).rstrip("."))],
        resource_name=resource_name,
    )


def _not_found_responses() -> list[aws.cloudfront.DistributionCustomErrorResponseArgs]:
    """403 (a key CloudFront may not read) and 404 both become the 404 page, never cached."""
    return [
        aws.cloudfront.DistributionCustomErrorResponseArgs(
            error_code=code, response_code=404, response_page_path=f"/{NOT_FOUND_KEY}", error_caching_min_ttl=0
        )
        for code in (403, 404)
    ]


class CloudFrontHost(PolicyHost[CloudFrontHostArgs]):
    """Serves the policy from a private S3 bucket through CloudFront (see the module docs)."""

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
        # The bucket is autonamed ("<logical name>-" + 7 characters, at most 63): its logical name is
        # today's where that fits, else cut with a hash (core/names.py), so every domain deploys.
        bucket_name = autoname_base(S3_BUCKET, f"{name}-bucket")
        storage = private_bucket(
            BucketNames(bucket_name, f"{name}-ownership", f"{name}-public-access", f"{name}-encryption"),
            parent=self,
            tags=tags,
        )
        self.bucket = storage.bucket
        self.policy_object, not_found_object = self._objects(name, args.policy, storage, tags)
        certificate_arn = self._certificate(name, args.dns, tags)
        self.distribution = self._distribution(name, args.price_class, certificate_arn, tags)
        self.bucket_policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, self.distribution.arn).apply(
                lambda arns: json.dumps(bucket_policy_document(str(arns[0]), str(arns[1])))
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[storage.public_access]),
        )
        # DNS: mta-sts.<domain> -> the distribution
        # A hand-made A/AAAA record at mta-sts.<domain> is taken over in one step where the
        # provider can (Route53 UPSERT): the old host serves until the alias does.
        alias_records = args.dns.takeover_alias(
            self.hostname,
            self.distribution.domain_name,
            self.distribution.hosted_zone_id,
            resource_name=f"{name}-alias",
        )
        return HostParts(
            serving=[self.policy_object, not_found_object, self.bucket_policy, self.distribution, *alias_records],
            host_records=[
                HostRecord(self.hostname, rtype, self.distribution.domain_name) for rtype in args.dns.alias_record_types
            ],
            details={
                "bucket": self.bucket.bucket,
                "distribution_id": self.distribution.id,
                "distribution_domain_name": self.distribution.domain_name,
                "certificate_arn": self.certificate.arn,
            },
        )

    def _objects(
        self, name: str, policy: Policy, storage: PrivateBucket, tags: dict[str, str]
    ) -> tuple[aws.s3.BucketObjectv2, aws.s3.BucketObjectv2]:
        """The policy object (exactly the rendered bytes) and the body of every 404."""
        after_bucket_setup = pulumi.ResourceOptions(parent=self, depends_on=storage.setup)
        objects = {
            f"{name}-policy": (POLICY_KEY, policy.render()),
            f"{name}-not-found": (NOT_FOUND_KEY, not_found_text(self.domain)),
        }
        policy_object, not_found_object = (
            aws.s3.BucketObjectv2(
                resource_name,
                bucket=storage.bucket.id,
                key=key,
                content=content,
                content_type=POLICY_CONTENT_TYPE,
                cache_control="no-cache",
                server_side_encryption="AES256",
                tags=tags,
                opts=after_bucket_setup,
            )
            for resource_name, (key, content) in objects.items()
        )
        return policy_object, not_found_object

    def _certificate(self, name: str, dns: DnsBackend, tags: dict[str, str]) -> pulumi.Output[str]:
        """An ACM certificate in us-east-1 (the only region CloudFront takes them from), validated
        by a CNAME in ``dns`` per name; returns its ARN once validated. Its first name is the
        policy host, else the mail domain, else the zone apex (``dns.zone_name``), whichever is the
        first to fit ACM's 64 characters (:func:`certificate_common_name`); the host is then its
        alternative name. Every name's validation record goes through ``dns`` (the domain and the
        apex are in the zone), and the validation names them all."""
        common = certificate_common_name(self.hostname, self.domain, dns.zone_name) or self.hostname
        self.certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=common,
            subject_alternative_names=None if common == self.hostname else [self.hostname],
            validation_method="DNS",
            region=ACM_REGION,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        names = {self.hostname: f"{name}-certificate-validation-cname"}
        if common == self.domain:
            names[common] = f"{name}-certificate-validation-cname-domain"
        elif common != self.hostname:
            names[common] = f"{name}-certificate-validation-cname-zone"
        validation_records = [
            record
            for host, resource_name in names.items()
            for record in validation_record(dns, validation_option(self.certificate, host), resource_name)
        ]
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate-validation",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=dns.record_names(validation_records),
            region=ACM_REGION,
            opts=pulumi.ResourceOptions(parent=self, depends_on=validation_records),
        )
        return validation.certificate_arn

    def _edge(self, name: str) -> tuple[aws.cloudfront.OriginAccessControl, aws.cloudfront.Function]:
        """The origin access control (CloudFront signs its S3 reads) and the viewer-request
        function that sends every path but the policy to the 404 page."""
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
        return oac, rewrite

    def _distribution(
        self, name: str, price_class: str, certificate_arn: pulumi.Output[str], tags: dict[str, str]
    ) -> aws.cloudfront.Distribution:
        oac, rewrite = self._edge(name)
        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"MTA-STS policy of {self.domain}",
            aliases=[self.hostname],
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=price_class,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID,
                    domain_name=self.bucket.bucket_regional_domain_name,
                    origin_access_control_id=oac.id,
                )
            ],
            default_cache_behavior=cache_behaviour(caching_disabled_policy_id(self), rewrite.arn),
            custom_error_responses=_not_found_responses(),
            restrictions=no_restrictions(),
            viewer_certificate=viewer_certificate(certificate_arn),
            wait_for_deployment=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
