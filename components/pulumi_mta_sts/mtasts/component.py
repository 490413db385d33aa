"""``MtaSts`` (``mta-sts:index:MtaSts``): everything one mail domain needs for MTA-STS + TLS-RPT.

Given a domain, a DNS backend, a policy host kind, a policy and the TLS-RPT ``rua`` list, it
creates (as children, so ``ResourceOptions(providers=...)`` given to it reach every resource):

1. the DNS backend (unless you pass one you created): :mod:`pulumi_mta_sts.dns`;
2. the policy host: :class:`~pulumi_mta_sts.hosting.cloudfront.CloudFrontHost` or
   :class:`~pulumi_mta_sts.hosting.worker.WorkerHost`;
3. ``PolicyLive`` (:mod:`pulumi_mta_sts.mtasts.policy_live`), which waits until the policy
   URL serves exactly the new bytes;
4. the ``_mta-sts`` TXT record, which depends on ``PolicyLive`` (or, with ``verify_live``
   off, on the host's resources): a new id is never published before its body is served;
5. the ``_smtp._tls`` TXT record when ``rua`` is not empty.

Outputs: ``policy_id``, ``policy_text``, ``policy_url``, ``records`` (``name``/``type``/``value``
of every record it manages) and ``host`` (host details).

Every argument is checked first, with the same rules and messages as stack config; a mistake
raises :class:`~pulumi_mta_sts.core.errors.InputError` before anything is registered. The
constructor makes no network call: :meth:`MtaSts.warn_unmanaged_records` looks at live DNS for
hand-made records when the program asks for it.

Use from any Pulumi program::

    from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
    from pulumi_mta_sts.config.stack import DnsConfig
    from pulumi_mta_sts.core.policy import Policy

    MtaSts("example-com", MtaStsArgs(
        domain="example.com",
        policy=Policy.build("testing", ["mx1.example.com"], 86401),
        dns=DnsConfig("route53", zone_name="example.com"),   # host: cloudfront (worker on Cloudflare)
        rua=["mailto:tlsrpt@example.com"],
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dns.resolver
import pulumi

from pulumi_mta_sts.config.stack import (
    DnsConfig,
    StackConfig,
    host_kind_problems,
    policy_problems,
    price_class_problems,
    tags_problems,
    verify_timeout_problems,
)
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import (
    DnsRecord,
    policy_url,
    records_for,
    sts_record_name,
)
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.hosting.base import PolicyHost
from pulumi_mta_sts.net.existing_records import ADOPT_SECTION, unmanaged_record_warnings

from .domain_parts import dns_provider, make_dns, name_length_problems, policy_gate, rua_problems

__all__ = ["MtaSts", "MtaStsArgs"]


@dataclass(frozen=True)
class MtaStsArgs:
    """Arguments of :class:`MtaSts`. Defaults are those of stack config (:mod:`pulumi_mta_sts.core.defaults`)."""

    domain: str
    """The mail domain (``example.com``); the policy is served at ``mta-sts.<domain>``."""
    policy: Policy
    """The policy (build it with :meth:`pulumi_mta_sts.core.policy.Policy.build`)."""
    dns: DnsBackend | DnsConfig
    """Where the records go: a backend you created (``Route53Dns`` / ``CloudflareDns``, e.g. with
    your own provider), or a :class:`~pulumi_mta_sts.config.stack.DnsConfig` to create one as a child."""
    host: str | None = None
    """``cloudfront`` (S3 + CloudFront + ACM; any DNS backend) or ``worker`` (Cloudflare Worker;
    needs the Cloudflare backend). Default: the DNS provider's (``cloudfront`` on Route53,
    ``worker`` on Cloudflare), as in stack config."""
    rua: Sequence[str] = ()
    """TLS-RPT report destinations (``mailto:`` / ``https:``); empty = no ``_smtp._tls`` record."""
    verify_live: bool = True
    """Wait (``PolicyLive``) until the URL serves the new policy before publishing its id. Turn
    off only for a first deploy before DNS is delegated; a warning says so."""
    verify_timeout: int = defaults.VERIFY_TIMEOUT
    """Seconds ``PolicyLive`` keeps trying before the deploy fails."""
    price_class: str = defaults.PRICE_CLASS
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


def _validate(args: MtaStsArgs) -> tuple[str, str]:
    """The domain in normal form and the host kind; raises :class:`InputError` listing every problem."""
    domain, problems = normalize_hostname(args.domain, "domain")
    problems += name_length_problems(domain, args.rua)
    provider, dns_problems = dns_provider(args.dns)
    kind = args.host if args.host is not None else defaults.default_host_kind(provider or "")
    problems += [
        *policy_problems(args.policy),
        *dns_problems,
        *host_kind_problems(kind, provider, "host"),
        *rua_problems(args.rua),
        *verify_timeout_problems(args.verify_timeout),
        *price_class_problems(args.price_class),
        *tags_problems(args.tags),
    ]
    if problems or domain is None:
        raise InputError(problems)
    return domain, kind


def _make_host(
    name: str, domain: str, kind: str, args: MtaStsArgs, dns: DnsBackend, opts: pulumi.ResourceOptions
) -> PolicyHost[Any]:
    """The host of ``kind`` (imported here: a Cloudflare-only program needs no pulumi_aws)."""
    if kind == "worker":
        from pulumi_mta_sts.hosting.worker import WorkerHost, WorkerHostArgs

        return WorkerHost(f"{name}-host", WorkerHostArgs(domain=domain, policy=args.policy, dns=dns), opts)  # type: ignore[arg-type]
    from pulumi_mta_sts.hosting.cloudfront import CloudFrontHost, CloudFrontHostArgs

    host_args = CloudFrontHostArgs(domain, args.policy, dns, price_class=args.price_class, tags=dict(args.tags))
    return CloudFrontHost(f"{name}-host", host_args, opts)


class MtaSts(pulumi.ComponentResource):
    """MTA-STS and TLS-RPT for one domain (see the module docs)."""

    policy_id: pulumi.Output[str]
    policy_text: pulumi.Output[str]
    policy_url: pulumi.Output[str]
    records: pulumi.Output[list[dict[str, Any]]]
    host: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: MtaStsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        domain, kind = _validate(args)  # before anything is registered
        self.txt_records = records_for(domain, args.policy, list(args.rua))
        # The package token (mta-sts:index:MtaSts, docs/packaging.md); the alias keeps stacks made before it.
        former = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mta-sts:mtasts:MtaSts")])
        super().__init__("mta-sts:index:MtaSts", name, None, pulumi.ResourceOptions.merge(opts, former))
        child = pulumi.ResourceOptions(parent=self)
        self._resource_name = name
        self.domain = domain
        self.dns = args.dns if isinstance(args.dns, DnsBackend) else make_dns(f"{name}-dns", args.dns, child)
        self.policy_host = _make_host(name, domain, kind, args, self.dns, child)
        self._publish_txt_records(name, self._publish_after(args))

        self.policy_id = pulumi.Output.from_input(args.policy.id)
        self.policy_text = pulumi.Output.from_input(args.policy.render())
        self.policy_url = pulumi.Output.from_input(policy_url(domain))
        listed: list[Any] = [r.as_dict() for r in self.txt_records]
        listed += [{"name": r.name, "type": r.type, "value": r.value} for r in self.policy_host.host_records]
        self.records = pulumi.Output.from_input(listed)
        self.host = pulumi.Output.from_input(self.policy_host.details)
        self.register_outputs(
            {
                "policy_id": self.policy_id,
                "policy_text": self.policy_text,
                "policy_url": self.policy_url,
                "records": self.records,
                "host": self.host,
            }
        )

    def _publish_after(self, args: MtaStsArgs) -> list[pulumi.Resource]:
        """What the ``_mta-sts`` record waits for: ``PolicyLive`` (the URL serves the new body), or
        with ``verify_live`` off only the host's resources (and a warning on every run)."""
        url = policy_url(self.domain)
        if args.verify_live:
            serving = self.policy_host.serving
            text = args.policy.render()
            return [policy_gate(f"{self._resource_name}-policy-live", url, text, args.verify_timeout, serving, self)]
        pulumi.log.warn(
            f"{self.domain}: verify_live is off, so the new _mta-sts id is published without checking that "
            f"{url} serves the new policy. Turn it back on (mta-sts:host.verify_live: true) "
            "once DNS for the domain is delegated.",
            resource=self,
        )
        return list(self.policy_host.serving)

    def _publish_txt_records(self, name: str, publish_after: list[pulumi.Resource]) -> None:
        for record in self.txt_records:
            label = self._label(record)
            self.dns.record(
                record.name,
                "TXT",
                [record.value],
                resource_name=f"{name}-{label}-txt",
                opts=pulumi.ResourceOptions(depends_on=publish_after) if label == "mta-sts" else None,
            )

    def _label(self, record: DnsRecord) -> str:
        return "mta-sts" if record.name == sts_record_name(self.domain) else "tlsrpt"

    def warn_unmanaged_records(
        self,
        resolver: dns.resolver.Resolver,
        records: Sequence[DnsRecord] | None = None,
        *,
        is_ours: Callable[[str], bool] | None = None,
    ) -> list[str]:
        """Look up live DNS through ``resolver`` for TXT records at the names of ``records`` (default:
        this component's own ``_mta-sts`` / ``_smtp._tls`` records) that this stack would not own
        (see :mod:`pulumi_mta_sts.net.existing_records`); log each as a warning on this component,
        with the ``pulumi import`` command that adopts the record under its DNS backend, and return
        them. Never fails: unreachable DNS is a warning too. The constructor makes no look-up; the
        stack program calls this (parts that publish records through :attr:`dns` themselves, such
        as the TLS-RPT receiver, pass theirs and ``is_ours``)."""
        checked = self.txt_records if records is None else records
        hint = self._adoption_hint(checked)
        warnings = unmanaged_record_warnings(self.domain, checked, resolver=resolver, import_hint=hint, is_ours=is_ours)
        for message in warnings:
            pulumi.log.warn(message, resource=self)
        return warnings

    def _adoption_hint(self, records: Sequence[DnsRecord]) -> str:
        """How to adopt hand-made records: one ``pulumi import`` command per record."""
        prefix = self.dns.resource_prefix
        hints = []
        for record in records:
            label = self._label(record)
            target = self.dns.txt_import(record.name)
            hints.append(
                f"`pulumi import {target.type_token} {self._resource_name}-{label}-txt '{target.import_id}' "
                f"--parent '{prefix}=<URN of {prefix}>'`"
            )
        return f"{ADOPT_SECTION}; e.g. " + " / ".join(hints)
