"""Pairs of programs: the package's plain inputs and the rich Python arguments for the same thing."""

from __future__ import annotations

from typing import Any

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.mtasts.component import DelegationArgs, FleetDomainArgs
from pulumi_mta_sts.mtasts.component import MtaSts as RichMtaSts
from pulumi_mta_sts.mtasts.component import MtaStsArgs as RichMtaStsArgs
from pulumi_mta_sts.mtasts.component import MtaStsFleet as RichMtaStsFleet
from pulumi_mta_sts.mtasts.component import MtaStsFleetArgs as RichMtaStsFleetArgs
from pulumi_mta_sts.package import MtaSts, MtaStsArgs, MtaStsFleet, MtaStsFleetArgs, TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.package.types import DnsProvider, HostKind, PolicyMode, PriceClass
from pulumi_mta_sts.receiver.component import TlsRptReceiver as RichTlsRptReceiver
from pulumi_mta_sts.receiver.component import TlsRptReceiverArgs as RichTlsRptReceiverArgs
from pulumi_mta_sts.spec import DnsConfig
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import REGION, ROUTE53_ZONE_ID

#: New token → the token the Python components registered before the package.
FORMER_TOKENS = {
    "mta-sts:index:MtaSts": "mta-sts:mtasts:MtaSts",
    "mta-sts:index:TlsRptReceiver": "mta-sts:receiver:TlsRptReceiver",
    "mta-sts:index:MtaStsFleet": "mta-sts:mtasts:MtaStsFleet",
}
CLOUDFLARE_ZONE = "0123456789abcdef0123456789abcdef"
MX = ["mx1.example.com", "*.mail.example.com"]

#: Package inputs (as the provider hands them over: Python names, enum members) → rich arguments.
ROUTE53_INPUTS: MtaStsArgs = {
    "domain": "Example.COM",
    "policy": {"mode": PolicyMode.ENFORCE, "mx": MX, "max_age": 604800},
    "dns": {"provider": DnsProvider.ROUTE53, "zone_id": ROUTE53_ZONE_ID},
    "host": HostKind.CLOUDFRONT,
    "rua": ["mailto:tlsrpt@example.com"],
    "price_class": PriceClass.PRICE_CLASS_200,
    "tags": {"team": "mail"},
}


def route53_rich_args() -> RichMtaStsArgs:
    return RichMtaStsArgs(
        domain="Example.COM",
        policy=Policy.build("enforce", MX, 604800),
        dns=DnsConfig("route53", zone_id=ROUTE53_ZONE_ID),
        host="cloudfront",
        rua=["mailto:tlsrpt@example.com"],
        price_class="PriceClass_200",
        tags={"team": "mail"},
    )


CLOUDFLARE_INPUTS: MtaStsArgs = {
    "domain": "example.org",
    "policy": {"mx": ["mx.example.org"]},
    "dns": {"provider": DnsProvider.CLOUDFLARE, "zone_id": CLOUDFLARE_ZONE},
    "verify_live": False,
}


def cloudflare_rich_args() -> RichMtaStsArgs:
    return RichMtaStsArgs(
        domain="example.org",
        policy=Policy.build(mx=["mx.example.org"]),
        dns=DnsConfig("cloudflare", zone_id=CLOUDFLARE_ZONE),
        verify_live=False,
    )


RECEIVER_INPUTS: TlsRptReceiverArgs = {
    "domain": "example.com",
    "dns": {"provider": DnsProvider.ROUTE53, "zone_id": ROUTE53_ZONE_ID},
    "settings": {"region": REGION, "rule_set_name": "default-rule-set", "silence_days": 3},
    "alarm_email": "ops@example.com",
    "publish_tlsrpt_record": True,
    "extra_rua": ["mailto:reports@example.net"],
}


def rich_receiver(name: str) -> RichTlsRptReceiver:
    dns = Route53Dns(f"{name}-dns", Route53DnsArgs(zone_id=ROUTE53_ZONE_ID))
    settings = ReceiverSettings(region=REGION, rule_set_name="default-rule-set", silence_days=3)
    receiver = RichTlsRptReceiver(
        name, RichTlsRptReceiverArgs("example.com", dns, settings, alarm_email="ops@example.com")
    )
    receiver.publish_tlsrpt_record(["mailto:reports@example.net"])
    return receiver


def route53_cloudfront_program() -> Any:
    return RichMtaSts("example-com", route53_rich_args())


def cloudflare_worker_program() -> Any:
    return RichMtaSts("example-org", cloudflare_rich_args())


def receiver_program() -> Any:
    return rich_receiver("reports")


def cloudflare_dns(name: str) -> CloudflareDns:
    return CloudflareDns(name, CloudflareDnsArgs(zone_id=CLOUDFLARE_ZONE))


TLSRPT = "mailto:tlsrpt@example.net"

#: A fleet of four: two Route53 domains (one pinned, one offboarding without the gate), a Cloudflare
#: domain on the Worker with its own policy and no rua, and a delegated domain; defaults merged key by key.
FLEET_INPUTS: MtaStsFleetArgs = {
    "defaults": {
        "policy": {"mode": PolicyMode.TESTING, "max_age": 86401},
        "dns": {"provider": DnsProvider.ROUTE53, "zone_id": ROUTE53_ZONE_ID},
        "rua": [TLSRPT],
    },
    "domains": [
        {"domain": "example.com", "policy": {"mx": MX}, "shard": 1},
        {
            "domain": "Example.ORG",
            "dns": {"provider": DnsProvider.CLOUDFLARE, "zone_id": CLOUDFLARE_ZONE},
            "policy": {"mode": PolicyMode.ENFORCE, "mx": ["*.mail.example.org"], "max_age": 604800},
            "rua": [],
        },
        {"domain": "customer.example", "delegated": True, "policy": {"mx": ["mx.customer.example"]}},
        {
            "domain": "old.example.com",
            "policy": {"mode": PolicyMode.ENFORCE, "mx": MX, "max_age": 604800},
            "offboard": True,
            "verify_live": False,
            "host": HostKind.CLOUDFRONT,
        },
    ],
    "delegation": {"provider": DnsProvider.CLOUDFLARE, "zone_name": "mta-sts.example.net", "zone_id": CLOUDFLARE_ZONE},
    "domains_per_certificate": 2,
    "price_class": PriceClass.PRICE_CLASS_200,
    "tags": {"team": "mail"},
}


def rich_fleet_args() -> RichMtaStsFleetArgs:
    """What a Python program gives MtaStsFleet for the same fleet."""
    route53 = DnsConfig("route53", zone_id=ROUTE53_ZONE_ID)
    return RichMtaStsFleetArgs(
        domains=[
            FleetDomainArgs("example.com", Policy.build("testing", MX, 86401), route53, "cloudfront", [TLSRPT]),
            FleetDomainArgs(
                "example.org",
                Policy.build("enforce", ["*.mail.example.org"], 604800),
                DnsConfig("cloudflare", zone_id=CLOUDFLARE_ZONE),
                "worker",
            ),
            FleetDomainArgs("customer.example", Policy.build("testing", ["mx.customer.example"]), None, rua=[TLSRPT]),
            FleetDomainArgs(
                "old.example.com", Policy.build("none", [], 604800), route53, rua=[TLSRPT], verify_live=False
            ),
        ],
        delegation=DelegationArgs(
            "mta-sts.example.net", DnsConfig("cloudflare", CLOUDFLARE_ZONE, "mta-sts.example.net")
        ),
        domains_per_certificate=2,
        assignment={"example.com": 1},
        price_class="PriceClass_200",
        tags={"team": "mail"},
    )


def fleet_program() -> Any:
    return RichMtaStsFleet("mail", rich_fleet_args())


#: (package program, equivalent rich program) pairs.
PAIRS = {
    "route53+cloudfront": (lambda: MtaSts("example-com", ROUTE53_INPUTS), route53_cloudfront_program),
    "cloudflare+worker": (lambda: MtaSts("example-org", CLOUDFLARE_INPUTS), cloudflare_worker_program),
    "receiver": (lambda: TlsRptReceiver("reports", RECEIVER_INPUTS), receiver_program),
    "fleet": (lambda: MtaStsFleet("mail", FLEET_INPUTS), fleet_program),
}
