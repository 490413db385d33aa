"""The mock cloud: what AWS and Cloudflare answer when the stack program registers a resource
or calls a data source, written once for ``mta-sts plan`` and the test-suite.

- :data:`PLAN_CLOUD` (``mta-sts plan``): a value only the cloud knows (a generated id, an ARN, a
  CloudFront domain, a Lambda function URL) comes back as :data:`UNKNOWN`, which the plan shows
  as it is.
- :data:`TEST_CLOUD` (``tests/pulumi_mock.py``): the same value is a realistic fake (account
  :data:`ACCOUNT`, region :data:`REGION`, ids hashed from the resource name), so tests can assert
  on how it flows into other resources.

Both know what is the same everywhere (CloudFront's hosted zone id, AWS's managed cache policy
ids, the partition) and what follows from the inputs (a bucket name that was given, a record's
FQDN). A resource's state is its inputs, overlaid with :meth:`MockCloud.default_outputs` (an id;
an ARN for an AWS resource), overlaid with the answer for its type token. An invoke without an
answer fails the program, naming the token (:class:`~pulumi_mta_sts.plan.engine.RecordingMocks`).

To answer for a new type or data source, add a function with ``@_outputs_for(token)`` or
``@_invoke_for(token)``, keyed by the exact token Pulumi writes (``aws:ses/receiptRule:ReceiptRule``;
it is in the class's ``super().__init__('...')`` call in the SDK), and wrap every value the cloud
makes up in ``cloud.after_deploy(fake)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs

from .engine import InvokeFn, OutputsFn, Recorder

__all__ = [
    "ACCOUNT",
    "CACHING_DISABLED_POLICY_ID",
    "CACHING_OPTIMIZED_POLICY_ID",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFRONT_ZONE_ID",
    "HTTP_API_ENDPOINT",
    "HTTP_API_ID",
    "MANAGED_CACHE_POLICIES",
    "PLAN_CLOUD",
    "REGION",
    "ROUTE53_ZONE_ID",
    "TEST_CLOUD",
    "UNKNOWN",
    "MockCloud",
]

#: What the plan shows for a value only the cloud knows.
UNKNOWN = "(known after deploy)"

# ---- the same everywhere (documented by AWS) -------------------------------------------------------
#: CloudFront's fixed hosted zone id for alias records.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
#: AWS managed cache policies, by name.
MANAGED_CACHE_POLICIES = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
}
CACHING_DISABLED_POLICY_ID = MANAGED_CACHE_POLICIES["Managed-CachingDisabled"]
CACHING_OPTIMIZED_POLICY_ID = MANAGED_CACHE_POLICIES["Managed-CachingOptimized"]

# ---- the test cloud's made-up account ---------------------------------------------------------------
ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROUTE53_ZONE_ID = "Z0123456789EXAMPLE"
CLOUDFLARE_ACCOUNT_ID = "f037e56e89293a057740de681ac9abbe"
HTTP_API_ID = "a1b2c3d4e5"
#: The receiver's HTTPS endpoint (an API Gateway HTTP API) in the test cloud.
HTTP_API_ENDPOINT = f"https://{HTTP_API_ID}.execute-api.{REGION}.amazonaws.com"

_CloudOutputs = Callable[["MockCloud", MockResourceArgs], dict[str, Any]]
_CloudInvoke = Callable[["MockCloud", MockCallArgs], dict[str, Any]]
_OUTPUTS: dict[str, _CloudOutputs] = {}
_INVOKES: dict[str, _CloudInvoke] = {}


def _outputs_for(type_token: str) -> Callable[[_CloudOutputs], _CloudOutputs]:
    def register(fn: _CloudOutputs) -> _CloudOutputs:
        _OUTPUTS[type_token] = fn
        return fn

    return register


def _invoke_for(token: str) -> Callable[[_CloudInvoke], _CloudInvoke]:
    def register(fn: _CloudInvoke) -> _CloudInvoke:
        _INVOKES[token] = fn
        return fn

    return register


def short_hash(*parts: str, length: int = 13) -> str:
    """A stable made-up identifier: the first ``length`` hex digits of SHA-256 of ``parts``."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class MockCloud:
    """The cloud's answers, with values only the cloud knows either made up or unknown."""

    fake_values: bool
    """True: realistic fakes (tests); False: :data:`UNKNOWN` (``mta-sts plan``)."""

    def after_deploy(self, fake: str) -> str:
        """A value the cloud makes up when it creates something: ``fake``, or :data:`UNKNOWN`."""
        return fake if self.fake_values else UNKNOWN

    def derived(self, base: str, template: str) -> str:
        """``template`` formatted with ``base`` (a value that may be unknown), unknown if it is."""
        return UNKNOWN if base == UNKNOWN else template.format(base)

    def default_outputs(self, args: MockResourceArgs) -> dict[str, Any]:
        """What every resource gets: an id, and an ARN for an AWS one (unless it was an input)."""
        if not args.custom:
            return {}
        out: dict[str, Any] = {"id": self.after_deploy(f"{args.name}-id")}
        if args.typ.startswith("aws:") and "arn" not in args.inputs:
            service = args.typ.split(":")[1].split("/")[0]
            out["arn"] = self.after_deploy(f"arn:aws:{service}:{REGION}:{ACCOUNT}:{args.name}")
        return out

    def outputs(self) -> dict[str, OutputsFn]:
        """Type token → ``args -> state`` (camelCase), the defaults included."""
        return {token: partial(self._outputs, fn) for token, fn in _OUTPUTS.items()}

    def invokes(self) -> dict[str, InvokeFn]:
        """Invoke token → ``args -> result`` (camelCase)."""
        return {token: partial(fn, self) for token, fn in _INVOKES.items()}

    def recorder(self) -> Recorder:
        """A fresh recorder answering as this cloud (not yet installed)."""
        return Recorder(outputs=self.outputs(), invokes=self.invokes(), default_outputs=self.default_outputs)

    def _outputs(self, fn: _CloudOutputs, args: MockResourceArgs) -> Mapping[str, Any]:
        return {**self.default_outputs(args), **fn(self, args)}

    def regional_arn(self, args: MockResourceArgs, service: str, rest: str) -> str:
        return self.after_deploy(f"arn:aws:{service}:{args.inputs.get('region', REGION)}:{ACCOUNT}:{rest}")


PLAN_CLOUD = MockCloud(fake_values=False)
TEST_CLOUD = MockCloud(fake_values=True)


# ---- AWS: the policy host ---------------------------------------------------------------------------
@_outputs_for("aws:s3/bucket:Bucket")
def _bucket(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = args.inputs.get("bucket") or cloud.after_deploy(f"{args.name}-{short_hash(args.name, length=7)}")
    return {
        "id": name,
        "bucket": name,
        "arn": cloud.derived(name, "arn:aws:s3:::{}"),
        "bucketDomainName": cloud.after_deploy(f"{name}.s3.amazonaws.com"),
        "bucketRegionalDomainName": cloud.after_deploy(f"{name}.s3.{REGION}.amazonaws.com"),
        "region": args.inputs.get("region", cloud.after_deploy(REGION)),
    }


@_outputs_for("aws:cloudfront/distribution:Distribution")
def _distribution(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    dist_id = cloud.after_deploy("E" + short_hash(args.name).upper())
    return {
        "id": dist_id,
        "arn": cloud.derived(dist_id, f"arn:aws:cloudfront::{ACCOUNT}:distribution/{{}}"),
        "domainName": cloud.after_deploy(f"d{short_hash(args.name, 'dn')}.cloudfront.net"),
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": cloud.after_deploy("Deployed"),
    }


@_outputs_for("aws:cloudfront/originAccessControl:OriginAccessControl")
def _oac(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {"id": cloud.after_deploy("E" + short_hash(args.name, "oac").upper())}


@_outputs_for("aws:cloudfront/function:Function")
def _cf_function(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = args.inputs.get("name", args.name)
    return {"arn": cloud.after_deploy(f"arn:aws:cloudfront::{ACCOUNT}:function/{name}"), "status": "LIVE"}


@_outputs_for("aws:cloudfront/keyValueStore:KeyValueStore")
def _cf_key_value_store(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    store_id = cloud.after_deploy(short_hash(args.name, "kvs", length=32))
    return {"id": store_id, "arn": cloud.derived(store_id, f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/{{}}")}


@_outputs_for("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey")
def _cf_kvs_key(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    made_up = f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/{short_hash(args.name, 'kvs', length=32)}"
    store = str(args.inputs.get("keyValueStoreArn") or cloud.after_deploy(made_up))
    return {"id": cloud.derived(store, f"{{}},{args.inputs.get('key')}")}


@_outputs_for("aws:cloudfront/cachePolicy:CachePolicy")
def _cf_cache_policy(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {"id": cloud.after_deploy(short_hash(args.name, "cp", length=32))}


@_outputs_for("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
def _cf_headers_policy(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {"id": cloud.after_deploy(short_hash(args.name, "rhp", length=32))}


@_outputs_for("aws:acm/certificate:Certificate")
def _certificate(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    domain = str(args.inputs.get("domainName", "example.com"))
    names = [domain, *args.inputs.get("subjectAlternativeNames", [])]
    region = args.inputs.get("region", REGION)
    return {
        "arn": cloud.after_deploy(f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{short_hash(args.name, length=36)}"),
        "status": cloud.after_deploy("PENDING_VALIDATION"),
        "region": region,
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": cloud.after_deploy(f"_{short_hash(name, 'n', length=32)}.{name}."),
                "resourceRecordType": "CNAME",
                "resourceRecordValue": cloud.after_deploy(f"_{short_hash(name, 'v', length=32)}.acm-validations.aws."),
            }
            for name in dict.fromkeys(names)
        ],
    }


@_outputs_for("aws:route53/record:Record")
def _r53_record(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = str(args.inputs.get("name", ""))
    return {
        "fqdn": name.rstrip("."),
        "id": cloud.after_deploy(f"{args.inputs.get('zoneId')}_{name}_{args.inputs.get('type')}"),
    }


# ---- AWS: the TLS-RPT receiver ----------------------------------------------------------------------
@_outputs_for("aws:ses/domainIdentity:DomainIdentity")
def _ses_identity(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    domain = str(args.inputs.get("domain", ""))
    return {
        "arn": cloud.regional_arn(args, "ses", f"identity/{domain}"),
        "verificationToken": cloud.after_deploy("VeRiFy+token="),
    }


@_outputs_for("aws:lambda/function:Function")
def _lambda_function(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": cloud.regional_arn(args, "lambda", f"function:{name}"), "name": cloud.after_deploy(name)}


@_outputs_for("aws:apigatewayv2/api:Api")
def _http_api(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    region = args.inputs.get("region", REGION)
    api_id = cloud.after_deploy(HTTP_API_ID)
    return {
        "id": api_id,
        "apiEndpoint": cloud.derived(api_id, f"https://{{}}.execute-api.{region}.amazonaws.com"),
        "executionArn": cloud.derived(api_id, f"arn:aws:execute-api:{region}:{ACCOUNT}:{{}}"),
    }


@_outputs_for("aws:cloudwatch/logGroup:LogGroup")
def _log_group(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {"arn": cloud.regional_arn(args, "logs", f"log-group:{name}"), "name": cloud.after_deploy(name)}


@_outputs_for("aws:sqs/queue:Queue")
def _sqs_queue(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    return {
        "arn": cloud.regional_arn(args, "sqs", name),
        "name": cloud.after_deploy(name),
        "url": cloud.after_deploy(f"https://sqs.{args.inputs.get('region', REGION)}.amazonaws.com/{ACCOUNT}/{name}"),
    }


@_outputs_for("aws:iam/role:Role")
def _iam_role(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    known = cloud.after_deploy(name)
    return {"arn": cloud.after_deploy(f"arn:aws:iam::{ACCOUNT}:role/{name}"), "id": known, "name": known}


@_outputs_for("aws:sns/topic:Topic")
def _sns_topic(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {"arn": cloud.regional_arn(args, "sns", f"{args.name}-f00")}


# ---- AWS: data sources ------------------------------------------------------------------------------
@_invoke_for("aws:route53/getZone:getZone")
def _get_r53_zone(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    name = str(args.args.get("name") or cloud.after_deploy("example.com")).rstrip(".")
    zone_id = args.args.get("zoneId") or cloud.after_deploy(ROUTE53_ZONE_ID)
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": cloud.derived(zone_id, "arn:aws:route53:::hostedzone/{}"),
        "privateZone": False,
        "nameServers": [cloud.after_deploy("ns-1.awsdns-00.com"), cloud.after_deploy("ns-2.awsdns-00.net")],
    }


@_invoke_for("aws:cloudfront/getCachePolicy:getCachePolicy")
def _get_cache_policy(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    name = str(args.args.get("name", ""))
    if name not in MANAGED_CACHE_POLICIES:
        raise ValueError(f"no managed cache policy named {name!r}; AWS has {sorted(MANAGED_CACHE_POLICIES)}")
    return {"id": MANAGED_CACHE_POLICIES[name], "name": name}


@_invoke_for("aws:index/getCallerIdentity:getCallerIdentity")
def _caller_identity(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    return {
        "accountId": cloud.after_deploy(ACCOUNT),
        "arn": cloud.after_deploy(f"arn:aws:iam::{ACCOUNT}:user/test"),
        "userId": cloud.after_deploy("AIDAEXAMPLE"),
        "id": cloud.after_deploy(ACCOUNT),
    }


@_invoke_for("aws:index/getRegion:getRegion")
def _region(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    region = cloud.after_deploy(REGION)
    return {"name": region, "region": region, "id": region}


@_invoke_for("aws:index/getPartition:getPartition")
def _partition(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}


# ---- Cloudflare -------------------------------------------------------------------------------------
@_invoke_for("cloudflare:index/getZone:getZone")
def _get_cf_zone(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    name = str((args.args.get("filter") or {}).get("name") or cloud.after_deploy("example.org"))
    zone_id = args.args.get("zoneId") or cloud.after_deploy(short_hash("cf-zone", name, length=32))
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "account": {"id": cloud.after_deploy(CLOUDFLARE_ACCOUNT_ID), "name": cloud.after_deploy("Example account")},
        "status": cloud.after_deploy("active"),
        "nameServers": [cloud.after_deploy("ada.ns.cloudflare.com"), cloud.after_deploy("bob.ns.cloudflare.com")],
    }


@_outputs_for("cloudflare:index/dnsRecord:DnsRecord")
def _cf_record(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {"id": cloud.after_deploy(short_hash(args.name, "cfrec", length=32)), "proxiable": True}


@_outputs_for("cloudflare:index/workersScript:WorkersScript")
def _cf_worker(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {
        "id": args.inputs.get("scriptName", cloud.after_deploy(args.name)),
        "etag": cloud.after_deploy(short_hash(str(args.inputs.get("content")))),
    }


@_outputs_for("cloudflare:index/workersCustomDomain:WorkersCustomDomain")
def _cf_worker_domain(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {
        "id": cloud.after_deploy(short_hash(args.name, "wcd", length=32)),
        "zoneName": cloud.after_deploy("example.org"),
    }
