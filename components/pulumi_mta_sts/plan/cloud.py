"""The mock cloud's answers to resources and data sources, written once for ``mta-sts plan``
(:data:`PLAN_CLOUD`: made-up values are :data:`UNKNOWN`) and the tests (``tests/pulumi_mock.py``:
realistic fakes), keyed by the exact token Pulumi writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from pulumi.runtime import MockCallArgs, MockResourceArgs

from pulumi_mta_sts.change.model import KNOWN_AFTER_DEPLOY

from .engine import Recorder

UNKNOWN: Final = KNOWN_AFTER_DEPLOY

# ---- the same everywhere (documented by AWS) -------------------------------------------------------
#: CloudFront's fixed hosted zone id for alias records.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
#: AWS managed cache policies, by name.
MANAGED_CACHE_POLICIES = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
}

# ---- the test cloud's made-up account ---------------------------------------------------------------
ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROUTE53_ZONE_ID = "Z0123456789EXAMPLE"
CLOUDFLARE_ACCOUNT_ID = "f037e56e89293a057740de681ac9abbe"
HTTP_API_ID = "a1b2c3d4e5"

_CloudOutputs = Callable[["MockCloud", MockResourceArgs], dict[str, Any]]
_CloudInvoke = Callable[["MockCloud", MockCallArgs], dict[str, Any]]


def short_hash(*parts: str, length: int = 13) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class MockCloud:
    """``fake_values``: realistic fakes (tests), else :data:`UNKNOWN` (``mta-sts plan``)."""

    fake_values: bool

    def after_deploy(self, fake: str) -> str:
        return fake if self.fake_values else UNKNOWN

    def derived(self, base: str, template: str) -> str:
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

    def recorder(self) -> Recorder:
        """A recorder answering as this cloud (its ``outputs`` and ``invokes``: the answers by token)."""
        outputs = {token: partial(self._outputs, fn) for token, fn in _OUTPUTS.items()}
        return Recorder(outputs, {token: partial(fn, self) for token, fn in _INVOKES.items()}, self.default_outputs)

    def _outputs(self, fn: _CloudOutputs, args: MockResourceArgs) -> Mapping[str, Any]:
        return {**self.default_outputs(args), **fn(self, args)}

    def regional_arn(self, args: MockResourceArgs, service: str, rest: str) -> str:
        return self.after_deploy(f"arn:aws:{service}:{args.inputs.get('region', REGION)}:{ACCOUNT}:{rest}")


PLAN_CLOUD = MockCloud(fake_values=False)


# ---- AWS: the policy host ---------------------------------------------------------------------------
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


def _distribution(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    dist_id = cloud.after_deploy("E" + short_hash(args.name).upper())
    return {
        "id": dist_id,
        "arn": cloud.derived(dist_id, f"arn:aws:cloudfront::{ACCOUNT}:distribution/{{}}"),
        "domainName": cloud.after_deploy(f"d{short_hash(args.name, 'dn')}.cloudfront.net"),
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": cloud.after_deploy("Deployed"),
    }


def _key_value_store(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    store_id = cloud.after_deploy(short_hash(args.name, "kvs", length=32))
    return {"id": store_id, "arn": cloud.derived(store_id, f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/{{}}")}


def _kvs_key(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    made_up = f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/{short_hash(args.name, 'kvs', length=32)}"
    store = str(args.inputs.get("keyValueStoreArn") or cloud.after_deploy(made_up))
    return {"id": cloud.derived(store, f"{{}},{args.inputs.get('key')}")}


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


def _r53_record(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = str(args.inputs.get("name", ""))
    made_up = f"{args.inputs.get('zoneId')}_{name}_{args.inputs.get('type')}"
    return {"fqdn": name.rstrip("."), "id": cloud.after_deploy(made_up)}


# ---- AWS: the TLS-RPT receiver ----------------------------------------------------------------------
def _http_api(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    region = args.inputs.get("region", REGION)
    api_id = cloud.after_deploy(HTTP_API_ID)
    return {
        "id": api_id,
        "apiEndpoint": cloud.derived(api_id, f"https://{{}}.execute-api.{region}.amazonaws.com"),
        "executionArn": cloud.derived(api_id, f"arn:aws:execute-api:{region}:{ACCOUNT}:{{}}"),
    }


def _named(cloud: MockCloud, args: MockResourceArgs, service: str, kind: str, *, named: bool = True) -> dict[str, Any]:
    name = f"{args.name}-f00"
    out = {"arn": cloud.regional_arn(args, service, f"{kind}{name}")}
    return out | {"name": cloud.after_deploy(name)} if named else out


def _sqs_queue(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    url = f"https://sqs.{args.inputs.get('region', REGION)}.amazonaws.com/{ACCOUNT}/{args.name}-f00"
    return {**_named(cloud, args, "sqs", ""), "url": cloud.after_deploy(url)}


def _iam_role(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    name = f"{args.name}-f00"
    known = cloud.after_deploy(name)
    return {"arn": cloud.after_deploy(f"arn:aws:iam::{ACCOUNT}:role/{name}"), "id": known, "name": known}


# ---- AWS: data sources ------------------------------------------------------------------------------
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


def _get_cache_policy(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    name = str(args.args.get("name", ""))
    if name not in MANAGED_CACHE_POLICIES:
        raise ValueError(f"no managed cache policy named {name!r}; AWS has {sorted(MANAGED_CACHE_POLICIES)}")
    return {"id": MANAGED_CACHE_POLICIES[name], "name": name}


def _caller_identity(cloud: MockCloud, args: MockCallArgs) -> dict[str, Any]:
    return {
        "accountId": cloud.after_deploy(ACCOUNT),
        "arn": cloud.after_deploy(f"arn:aws:iam::{ACCOUNT}:user/test"),
        "userId": cloud.after_deploy("AIDAEXAMPLE"),
        "id": cloud.after_deploy(ACCOUNT),
    }


# ---- Cloudflare -------------------------------------------------------------------------------------
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


def _cf_worker(cloud: MockCloud, args: MockResourceArgs) -> dict[str, Any]:
    return {
        "id": args.inputs.get("scriptName", cloud.after_deploy(args.name)),
        "etag": cloud.after_deploy(short_hash(str(args.inputs.get("content")))),
    }


_OUTPUTS: dict[str, _CloudOutputs] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/originAccessControl:OriginAccessControl": lambda cloud, args: {
        "id": cloud.after_deploy("E" + short_hash(args.name, "oac").upper())
    },
    "aws:cloudfront/function:Function": lambda cloud, args: {
        "arn": cloud.after_deploy(f"arn:aws:cloudfront::{ACCOUNT}:function/{args.inputs.get('name', args.name)}"),
        "status": "LIVE",
    },
    "aws:cloudfront/keyValueStore:KeyValueStore": _key_value_store,
    "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey": _kvs_key,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _r53_record,
    "aws:ses/domainIdentity:DomainIdentity": lambda cloud, args: {
        "arn": cloud.regional_arn(args, "ses", f"identity/{args.inputs.get('domain', '')}"),
        "verificationToken": cloud.after_deploy("VeRiFy+token="),
    },
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:iam/role:Role": _iam_role,
    "aws:lambda/function:Function": partial(_named, service="lambda", kind="function:"),
    "aws:cloudwatch/logGroup:LogGroup": partial(_named, service="logs", kind="log-group:"),
    "aws:sns/topic:Topic": partial(_named, service="sns", kind="", named=False),
    "cloudflare:index/dnsRecord:DnsRecord": lambda cloud, args: {
        "id": cloud.after_deploy(short_hash(args.name, "cfrec", length=32)),
        "proxiable": True,
    },
    "cloudflare:index/workersScript:WorkersScript": _cf_worker,
    "cloudflare:index/workersCustomDomain:WorkersCustomDomain": lambda cloud, args: {
        "id": cloud.after_deploy(short_hash(args.name, "wcd", length=32)),
        "zoneName": cloud.after_deploy("example.org"),
    },
}
_INVOKES: dict[str, _CloudInvoke] = {
    "aws:route53/getZone:getZone": _get_r53_zone,
    "aws:cloudfront/getCachePolicy:getCachePolicy": _get_cache_policy,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "cloudflare:index/getZone:getZone": _get_cf_zone,
}
