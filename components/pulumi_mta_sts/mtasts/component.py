"""``MtaSts`` (``mta-sts:mtasts:MtaSts``): everything one mail domain needs for MTA-STS + TLS-RPT.

Given a domain, a DNS backend, a policy host kind, a policy and the TLS-RPT ``rua`` list, it
creates (as children, so ``ResourceOptions(providers=...)`` given to it reach every resource):

1. the DNS backend (unless you pass one you created): :mod:`pulumi_mta_sts.dns.backends`;
2. the policy host: :class:`~pulumi_mta_sts.hosting.cloudfront.CloudFrontHost` or
   :class:`~pulumi_mta_sts.hosting.worker.WorkerHost`;
3. ``PolicyLive`` (:mod:`pulumi_mta_sts.mtasts.policy_live`), which waits until the policy
   URL serves exactly the new bytes;
4. the ``_mta-sts`` TXT record, which depends on ``PolicyLive`` (or, with ``verify_live``
   off, on the host's resources): a new id is never published before its body is served;
5. the ``_smtp._tls`` TXT record when ``rua`` is not empty.

Outputs: ``policy_id``, ``policy_text``, ``policy_url``, ``records`` (``name``/``type``/``value``
of every record it manages) and ``host`` (host details).

Use from any Pulumi program::

    from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
    from pulumi_mta_sts.config.stack import DnsConfig
    from pulumi_mta_sts.core.policy import Policy

    MtaSts("example-com", MtaStsArgs(
        domain="example.com",
        policy=Policy.build("testing", ["mx1.example.com"], 86401),
        dns=DnsConfig("route53", zone_name="example.com"),
        host="cloudfront",
        rua=["mailto:tlsrpt@example.com"],
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from pulumi_mta_sts.config.stack import HOST_KINDS, DnsConfig, StackConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import DnsRecord, policy_url, records_for, sts_record_name
from pulumi_mta_sts.dns.backends import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.base import PolicyHost
from pulumi_mta_sts.net.existing_records import unmanaged_record_warnings

from .policy_live import PolicyLive, PolicyLiveArgs

__all__ = ["MtaSts", "MtaStsArgs"]

DEFAULT_VERIFY_TIMEOUT = 600
_IMPORT_TYPES = {
    "route53": ("aws:route53/record:Record", "<ZONE_ID>_{name}_TXT"),
    "cloudflare": ("cloudflare:index/dnsRecord:DnsRecord", "<ZONE_ID>/<RECORD_ID>"),
}


@dataclass(frozen=True)
class MtaStsArgs:
    """Arguments of :class:`MtaSts`."""

    domain: str
    """The mail domain (``example.com``); the policy is served at ``mta-sts.<domain>``."""
    policy: Policy
    """The policy (build it with :meth:`pulumi_mta_sts.core.policy.Policy.build`)."""
    dns: DnsBackend | DnsConfig
    """Where the records go: a backend you created (``Route53Dns`` / ``CloudflareDns``, e.g. with
    your own provider), or a :class:`~pulumi_mta_sts.config.stack.DnsConfig` to create one as a child."""
    host: str = "cloudfront"
    """``cloudfront`` (S3 + CloudFront + ACM; any DNS backend) or ``worker`` (Cloudflare Worker;
    needs the Cloudflare backend)."""
    rua: Sequence[str] = ()
    """TLS-RPT report destinations (``mailto:`` / ``https:``); empty = no ``_smtp._tls`` record."""
    verify_live: bool = True
    """Wait (``PolicyLive``) until the URL serves the new policy before publishing its id. Turn
    off only for a first deploy before DNS is delegated; a warning says so."""
    verify_timeout: int = DEFAULT_VERIFY_TIMEOUT
    """Seconds ``PolicyLive`` keeps trying before the deploy fails."""
    warn_existing_records: bool = True
    """Look at live DNS for ``_mta-sts`` / ``_smtp._tls`` records the stack does not manage, and
    warn (never fail). Skipped when ``MTA_STS_NO_LIVE_DNS=1``."""
    price_class: str = "PriceClass_100"
    """CloudFront price class (``cloudfront`` host only)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for taggable AWS resources."""

    @classmethod
    def from_config(cls, cfg: StackConfig) -> MtaStsArgs:
        """The arguments a validated stack config asks for."""
        return cls(
            domain=cfg.domain,
            policy=cfg.policy,
            dns=cfg.dns,
            host=cfg.host.kind,
            rua=cfg.reporting.rua,
            verify_live=cfg.host.verify_live,
            verify_timeout=cfg.host.verify_timeout,
        )


def _validate(args: MtaStsArgs) -> str:
    problems: list[Problem] = []
    domain, domain_problems = normalize_hostname(args.domain, "domain")
    problems += domain_problems
    if args.host not in HOST_KINDS:
        problems.append(Problem("host", args.host, f"{args.host!r} is not a host kind; use cloudfront or worker"))
    provider = args.dns.provider if isinstance(args.dns, DnsConfig) else args.dns.provider_name
    if args.host == "worker" and provider != "cloudflare":
        problems.append(
            Problem("host", "worker", "a Cloudflare Worker needs the Cloudflare DNS backend; use cloudfront")
        )
    if not isinstance(args.policy, Policy):
        problems.append(Problem("policy", args.policy, "must be a Policy (use Policy.build(mode, mx, max_age))"))
    if problems or domain is None:
        raise InputError(problems)
    return domain


class MtaSts(pulumi.ComponentResource):
    """MTA-STS and TLS-RPT for one domain (see the module docs)."""

    policy_id: pulumi.Output[str]
    policy_text: pulumi.Output[str]
    policy_url: pulumi.Output[str]
    records: pulumi.Output[list[dict[str, Any]]]
    host: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: MtaStsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        domain = _validate(args)  # before anything is registered
        txt_records = records_for(domain, args.policy, list(args.rua))
        super().__init__("mta-sts:mtasts:MtaSts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        dns = args.dns if isinstance(args.dns, DnsBackend) else self._make_dns(name, args.dns, child)
        if args.warn_existing_records:
            self._warn_existing(name, domain, dns, txt_records)
        host = self._make_host(name, domain, args, dns, child)

        if args.verify_live:
            live = PolicyLive(
                f"{name}-policy-live",
                PolicyLiveArgs(url=policy_url(domain), policy_text=args.policy.render(), timeout=args.verify_timeout),
                opts=pulumi.ResourceOptions(parent=self, depends_on=host.serving),
            )
            publish_after: list[pulumi.Resource] = [live]
        else:
            pulumi.log.warn(
                f"{domain}: verify_live is off, so the new _mta-sts id is published without checking that "
                f"{policy_url(domain)} serves the new policy. Turn it back on (mta-sts:host.verify_live: true) "
                "once DNS for the domain is delegated.",
                resource=self,
            )
            publish_after = list(host.serving)

        for record in txt_records:
            label = "mta-sts" if record.name == sts_record_name(domain) else "tlsrpt"
            dns.record(
                record.name,
                "TXT",
                [record.value],
                resource_name=f"{name}-{label}-txt",
                opts=pulumi.ResourceOptions(depends_on=publish_after) if label == "mta-sts" else None,
            )

        self.dns = dns
        self._resource_name = name
        self._warn_existing_records = args.warn_existing_records
        self.policy_host = host
        self.domain = domain
        self.policy_id = pulumi.Output.from_input(args.policy.id)
        self.policy_text = pulumi.Output.from_input(args.policy.render())
        self.policy_url = pulumi.Output.from_input(policy_url(domain))
        listed: list[Any] = [r.as_dict() for r in txt_records]
        listed += [{"name": r.name, "type": r.type, "value": r.value} for r in host.host_records]
        self.records = pulumi.Output.from_input(listed)
        self.host = pulumi.Output.from_input(host.details)
        self.register_outputs(
            {
                "policy_id": self.policy_id,
                "policy_text": self.policy_text,
                "policy_url": self.policy_url,
                "records": self.records,
                "host": self.host,
            }
        )

    @staticmethod
    def _make_dns(name: str, cfg: DnsConfig, opts: pulumi.ResourceOptions) -> DnsBackend:
        if cfg.provider == "route53":
            return Route53Dns(f"{name}-dns", Route53DnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
        if cfg.provider == "cloudflare":
            return CloudflareDns(f"{name}-dns", CloudflareDnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
        raise InputError([Problem("dns.provider", cfg.provider, "use route53 or cloudflare")])

    @staticmethod
    def _make_host(
        name: str, domain: str, args: MtaStsArgs, dns: DnsBackend, opts: pulumi.ResourceOptions
    ) -> PolicyHost:
        if args.host == "worker":
            from pulumi_mta_sts.hosting.worker import WorkerHost, WorkerHostArgs

            assert isinstance(dns, CloudflareDns)  # checked by _validate
            return WorkerHost(f"{name}-host", WorkerHostArgs(domain=domain, policy=args.policy, dns=dns), opts)
        from pulumi_mta_sts.hosting.cloudfront import CloudFrontHost, CloudFrontHostArgs

        return CloudFrontHost(
            f"{name}-host",
            CloudFrontHostArgs(
                domain=domain, policy=args.policy, dns=dns, price_class=args.price_class, tags=dict(args.tags)
            ),
            opts,
        )

    def warn_unmanaged_records(
        self, records: Sequence[DnsRecord], *, is_ours: Callable[[str], bool] | None = None
    ) -> None:
        """Warn about live TXT records at the names of ``records`` that this stack would not own
        (as for its own records; see :mod:`pulumi_mta_sts.net.existing_records`), with the
        ``pulumi import`` command that adopts them under this component's DNS backend. For parts
        that publish records through :attr:`dns` themselves (the TLS-RPT receiver). Does nothing
        when ``warn_existing_records`` is off."""
        if self._warn_existing_records:
            self._warn_existing(self._resource_name, self.domain, self.dns, records, is_ours)

    def _warn_existing(
        self,
        name: str,
        domain: str,
        dns: DnsBackend,
        records: Sequence[DnsRecord],
        is_ours: Callable[[str], bool] | None = None,
    ) -> None:
        type_token, id_format = _IMPORT_TYPES.get(dns.provider_name, ("<type>", "<id>"))
        hints = []
        for record in records:
            label = "mta-sts" if record.name == sts_record_name(domain) else "tlsrpt"
            import_id = id_format.format(name=record.name)
            hints.append(
                f"`pulumi import {type_token} {name}-{label}-txt '{import_id}' "
                f"--parent '{dns.resource_prefix}=<URN of {dns.resource_prefix}>'`"
            )
        hint = "README 'Adopting existing records'; e.g. " + " / ".join(hints)
        for message in unmanaged_record_warnings(domain, records, import_hint=hint, is_ours=is_ours):
            pulumi.log.warn(message, resource=self)
