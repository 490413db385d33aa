"""The test-suite's shared Pulumi mock: realistic cloud outputs and invoke answers.

The recording machinery (what was registered, with which inputs, parent, dependencies,
property dependencies and provider) is :class:`pulumi_mta_sts.plan.engine.Recorder`, the same
engine ``mta-sts plan`` uses. This module only adds what a real cloud would answer:

- ``OUTPUTS``: resource type token → ``fn(args: MockResourceArgs) -> dict`` returning the
  computed state (camelCase keys) for that type, e.g. a CloudFront distribution's
  ``domainName`` / ``hostedZoneId`` or an ACM certificate's ``domainValidationOptions``. A
  resource's state is its inputs overlaid with these. Types without an entry get
  :func:`generic_outputs` (an ``arn`` for ``aws:`` types, nothing else).
- ``INVOKES``: invoke token → ``fn(args: MockCallArgs) -> dict`` (zone look-ups, the managed
  cache policy look-up, caller identity ...). An invoke without an entry fails the program
  with a message naming the token.

How to use it in a test (the ``pulumi_mocks`` fixture in ``conftest.py`` does the set-up)::

    def test_something(pulumi_mocks):
        pulumi_mocks.run(lambda: MyComponent("x", args))
        bucket = pulumi_mocks.one("aws:s3/bucket:Bucket")
        assert bucket.inputs["forceDestroy"] is False
        assert txt.depends_on(policy_live)          # a RecordedResource, URN or logical name
        assert "..." in pulumi_mocks.warnings[0]

How to extend it (e.g. for SES / Lambda types of the TLS-RPT receiver): add a function with
the decorator, keyed by the exact type token Pulumi writes (``aws:ses/receiptRule:ReceiptRule``;
find it in the class's ``super().__init__('...')`` call in the SDK)::

    @outputs_for("aws:lambda/function:Function")
    def _lambda(args: MockResourceArgs) -> dict[str, Any]:
        return {"arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{args.name}"}

    @invoke_for("aws:index/getCallerIdentity:getCallerIdentity")
    def _caller(args: MockCallArgs) -> dict[str, Any]: ...

A single test can override an answer on its own recorder without touching the tables:
``pulumi_mocks.invokes["cloudflare:index/getZone:getZone"] = lambda a: {...}``. Import helpers in
tests with ``from .pulumi_mock import ACCOUNT, ...`` (``tests`` is a package).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from pulumi_mta_sts.plan.engine import InvokeFn, OutputsFn, Recorder

ACCOUNT = "123456789012"
REGION = "eu-west-1"
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # CloudFront's fixed hosted zone id for alias records
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed "CachingDisabled"
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS managed "CachingOptimized"
ROUTE53_ZONE_ID = "Z0123456789EXAMPLE"
CLOUDFLARE_ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
CLOUDFLARE_ACCOUNT_ID = "f037e56e89293a057740de681ac9abbe"

OUTPUTS: dict[str, OutputsFn] = {}
INVOKES: dict[str, InvokeFn] = {}


def outputs_for(type_token: str) -> Callable[[OutputsFn], OutputsFn]:
    def register(fn: OutputsFn) -> OutputsFn:
        OUTPUTS[type_token] = fn
        return fn

    return register


def invoke_for(token: str) -> Callable[[InvokeFn], InvokeFn]:
    def register(fn: InvokeFn) -> InvokeFn:
        INVOKES[token] = fn
        return fn

    return register


def _short_hash(*parts: str, length: int = 13) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def generic_outputs(args: MockResourceArgs) -> dict[str, Any]:
    """Fallback for types without an entry: ``aws:`` resources get an ARN."""
    if args.typ.startswith("aws:") and args.custom and "arn" not in args.inputs:
        service = args.typ.split(":")[1].split("/")[0]
        return {"arn": f"arn:aws:{service}:{REGION}:{ACCOUNT}:{args.name}"}
    return {}


# ---- AWS ----------------------------------------------------------------------------------------
@outputs_for("aws:s3/bucket:Bucket")
def _bucket(args: MockResourceArgs) -> dict[str, Any]:
    name = args.inputs.get("bucket") or f"{args.name}-{_short_hash(args.name, length=7)}"
    return {
        "id": name,
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
        "region": args.inputs.get("region", REGION),
    }


@outputs_for("aws:cloudfront/distribution:Distribution")
def _distribution(args: MockResourceArgs) -> dict[str, Any]:
    dist_id = "E" + _short_hash(args.name).upper()
    return {
        "id": dist_id,
        "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}",
        "domainName": f"d{_short_hash(args.name, 'dn')}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": "Deployed",
    }


@outputs_for("aws:cloudfront/originAccessControl:OriginAccessControl")
def _oac(args: MockResourceArgs) -> dict[str, Any]:
    return {"id": "E" + _short_hash(args.name, "oac").upper()}


@outputs_for("aws:cloudfront/function:Function")
def _cf_function(args: MockResourceArgs) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:cloudfront::{ACCOUNT}:function/{args.inputs.get('name', args.name)}",
        "status": "LIVE",
    }


@outputs_for("aws:cloudfront/cachePolicy:CachePolicy")
def _cf_cache_policy(args: MockResourceArgs) -> dict[str, Any]:
    return {"id": _short_hash(args.name, "cp", length=32)}


@outputs_for("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
def _cf_headers_policy(args: MockResourceArgs) -> dict[str, Any]:
    return {"id": _short_hash(args.name, "rhp", length=32)}


@outputs_for("aws:acm/certificate:Certificate")
def _certificate(args: MockResourceArgs) -> dict[str, Any]:
    domain = str(args.inputs.get("domainName", "example.com"))
    names = [domain, *args.inputs.get("subjectAlternativeNames", [])]
    region = args.inputs.get("region", REGION)
    return {
        "arn": f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{_short_hash(args.name, length=36)}",
        "status": "PENDING_VALIDATION",
        "region": region,
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{_short_hash(name, 'n', length=32)}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_short_hash(name, 'v', length=32)}.acm-validations.aws.",
            }
            for name in dict.fromkeys(names)
        ],
    }


@outputs_for("aws:route53/record:Record")
def _r53_record(args: MockResourceArgs) -> dict[str, Any]:
    return {
        "fqdn": str(args.inputs.get("name", "")).rstrip("."),
        "id": f"{args.inputs.get('zoneId')}_{args.inputs.get('name')}_{args.inputs.get('type')}",
    }


# ---- AWS: the TLS-RPT receiver's types ----------------------------------------------------------
FUNCTION_URL = "https://abcdefghij0123456789.lambda-url.eu-west-1.on.aws/"


def _regional_arn(args: MockResourceArgs, service: str, rest: str) -> str:
    return f"arn:aws:{service}:{args.inputs.get('region', REGION)}:{ACCOUNT}:{rest}"


@outputs_for("aws:ses/domainIdentity:DomainIdentity")
def _ses_identity(args: MockResourceArgs) -> dict[str, Any]:
    domain = str(args.inputs.get("domain", ""))
    return {"arn": _regional_arn(args, "ses", f"identity/{domain}"), "verificationToken": "VeRiFy+token="}


@outputs_for("aws:lambda/function:Function")
def _lambda_function(args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": _regional_arn(args, "lambda", f"function:{name}"), "name": name}


@outputs_for("aws:lambda/functionUrl:FunctionUrl")
def _lambda_function_url(args: MockResourceArgs) -> dict[str, Any]:
    return {"functionUrl": FUNCTION_URL, "urlId": FUNCTION_URL.split("//")[1].split(".")[0]}


@outputs_for("aws:cloudwatch/logGroup:LogGroup")
def _log_group(args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": _regional_arn(args, "logs", f"log-group:{name}"), "name": name}


@outputs_for("aws:sqs/queue:Queue")
def _sqs_queue(args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": _regional_arn(args, "sqs", name), "name": name}


@outputs_for("aws:iam/role:Role")
def _iam_role(args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "id": name, "name": name}


@outputs_for("aws:sns/topic:Topic")
def _sns_topic(args: MockResourceArgs) -> dict[str, Any]:
    return {"arn": _regional_arn(args, "sns", f"{args.name}-f00")}


@invoke_for("aws:route53/getZone:getZone")
def _get_r53_zone(args: MockCallArgs) -> dict[str, Any]:
    name = str(args.args.get("name") or "example.com").rstrip(".")
    zone_id = args.args.get("zoneId") or ROUTE53_ZONE_ID
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "privateZone": False,
        "nameServers": ["ns-1.awsdns-00.com", "ns-2.awsdns-00.net"],
    }


@invoke_for("aws:cloudfront/getCachePolicy:getCachePolicy")
def _get_cache_policy(args: MockCallArgs) -> dict[str, Any]:
    known = {
        "Managed-CachingDisabled": CACHING_DISABLED_POLICY_ID,
        "Managed-CachingOptimized": CACHING_OPTIMIZED_POLICY_ID,
    }
    name = str(args.args.get("name", ""))
    if name not in known:
        raise ValueError(f"no managed cache policy named {name!r}")
    return {"id": known[name], "name": name}


@invoke_for("aws:index/getCallerIdentity:getCallerIdentity")
def _caller_identity(args: MockCallArgs) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/test",
        "userId": "AIDAEXAMPLE",
        "id": ACCOUNT,
    }


@invoke_for("aws:index/getRegion:getRegion")
def _region(args: MockCallArgs) -> dict[str, Any]:
    return {"name": REGION, "region": REGION, "id": REGION}


@invoke_for("aws:index/getPartition:getPartition")
def _partition(args: MockCallArgs) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}


# ---- Cloudflare ---------------------------------------------------------------------------------
@invoke_for("cloudflare:index/getZone:getZone")
def _get_cf_zone(args: MockCallArgs) -> dict[str, Any]:
    flt = args.args.get("filter") or {}
    name = str(flt.get("name") or "example.org")
    zone_id = args.args.get("zoneId") or _short_hash("cf-zone", name, length=32)
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "account": {"id": CLOUDFLARE_ACCOUNT_ID, "name": "Example account"},
        "status": "active",
        "nameServers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
    }


@outputs_for("cloudflare:index/dnsRecord:DnsRecord")
def _cf_record(args: MockResourceArgs) -> dict[str, Any]:
    return {"id": _short_hash(args.name, "cfrec", length=32), "proxiable": True}


@outputs_for("cloudflare:index/workersScript:WorkersScript")
def _cf_worker(args: MockResourceArgs) -> dict[str, Any]:
    return {
        "id": args.inputs.get("scriptName", args.name),
        "etag": _short_hash(str(args.inputs.get("content"))),
    }


@outputs_for("cloudflare:index/workersCustomDomain:WorkersCustomDomain")
def _cf_worker_domain(args: MockResourceArgs) -> dict[str, Any]:
    return {"id": _short_hash(args.name, "wcd", length=32), "zoneName": "example.org"}


def make_recorder() -> Recorder:
    """A fresh recorder answering from ``OUTPUTS`` / ``INVOKES`` (not yet installed)."""
    return Recorder(outputs=OUTPUTS, invokes=INVOKES, default_outputs=generic_outputs)
