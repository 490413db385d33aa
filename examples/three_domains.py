"""Three mail domains in one Pulumi program, with your own providers and parent component.

- ``example.com``: DNS in Route53 (zone id known), policy on S3 + CloudFront, resources in
  another AWS account through an explicit AWS provider;
- ``example.org``: DNS in Cloudflare, policy on a Cloudflare Worker, with a Cloudflare provider
  holding its own API token;
- ``example.net``: an existing Cloudflare zone looked up by name (a DNS backend you create
  yourself, then pass in), policy on S3 + CloudFront.

Use it as the ``__main__.py`` of a Pulumi program (``main()`` at the end), or import ``main``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare

from pulumi_mta_sts import DnsConfig
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs


class MailDomains(pulumi.ComponentResource):
    """Your own component grouping the domains (any parent works)."""

    def __init__(self, name: str) -> None:
        super().__init__("acme:mail:MailDomains", name)


def main() -> dict[str, MtaSts]:
    config = pulumi.Config()
    mail_account = aws.Provider(
        "mail-account",
        region="eu-west-1",
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn="arn:aws:iam::210987654321:role/mail-dns")],
    )
    cloudflare_dns = cloudflare.Provider("cloudflare-dns", api_token=config.get_secret("cloudflareToken") or "0" * 40)
    group = MailDomains("mail-domains")

    com = MtaSts(
        "example-com",
        MtaStsArgs(
            domain="example.com",
            policy=Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 86401),
            dns=DnsConfig("route53", zone_id="Z0123456789EXAMPLE"),
            host="cloudfront",
            rua=["mailto:tlsrpt@example.com"],
        ),
        opts=pulumi.ResourceOptions(parent=group, providers=[mail_account]),
    )
    org = MtaSts(
        "example-org",
        MtaStsArgs(
            domain="example.org",
            policy=Policy.build("enforce", ["*.mail.example.org"], 604800),
            dns=DnsConfig("cloudflare", zone_id="023e105f4ecef8ad9ca31a8372d0c353"),
            host="worker",
            rua=["mailto:tlsrpt@example.org"],
        ),
        opts=pulumi.ResourceOptions(parent=group, providers=[cloudflare_dns]),
    )
    net_zone = CloudflareDns(
        "example-net-zone",
        CloudflareDnsArgs(zone_name="example.net"),
        opts=pulumi.ResourceOptions(parent=group, providers=[cloudflare_dns]),
    )
    net = MtaSts(
        "example-net",
        MtaStsArgs(
            domain="example.net",
            policy=Policy.build("testing", ["mx.example.net"], 86401),
            dns=net_zone,
            host="cloudfront",
            rua=["mailto:tlsrpt@example.net"],
        ),
        opts=pulumi.ResourceOptions(parent=group, providers=[mail_account]),
    )
    domains = {"example.com": com, "example.org": org, "example.net": net}
    for domain, component in domains.items():
        pulumi.export(f"{domain} policy_id", component.policy_id)
    return domains


if __name__ == "__main__":
    main()
