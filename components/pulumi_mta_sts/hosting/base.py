"""The policy-host interface: what :class:`~pulumi_mta_sts.mtasts.component.MtaSts` needs from a host.

Implementations: :class:`~pulumi_mta_sts.hosting.cloudfront.CloudFrontHost` (S3 + CloudFront +
ACM) and :class:`~pulumi_mta_sts.hosting.worker.WorkerHost` (a Cloudflare Worker).

:class:`PolicyHost` fixes the order every host follows: check the arguments
(:meth:`PolicyHost.problems`, the same rules and messages as stack config) and raise
:class:`~pulumi_mta_sts.core.errors.InputError` *before* registering anything, then create the
resources (:meth:`PolicyHost.build`), then register the outputs. A mistake therefore never leaves
a half-built host in the stack.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.records import policy_host, policy_url
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.spec.rules import policy_problems

__all__ = ["HostArgs", "HostParts", "HostRecord", "PolicyHost", "dns_backend_problems"]


@dataclass(frozen=True)
class HostRecord:
    """A DNS record the host created (for the ``records`` output and ``mta-sts plan``)."""

    name: str
    type: str
    value: pulumi.Input[str]


@dataclass(frozen=True)
class HostParts:
    """What :meth:`PolicyHost.build` made: see :class:`PolicyHost` for each field."""

    serving: list[pulumi.Resource]
    host_records: list[HostRecord]
    details: Mapping[str, Any] = field(default_factory=dict)


class HostArgs(Protocol):
    """The arguments every host takes (each host's own dataclass adds its options)."""

    @property
    def domain(self) -> str: ...

    @property
    def policy(self) -> object: ...

    @property
    def dns(self) -> object: ...


ArgsT = TypeVar("ArgsT", bound=HostArgs)


def dns_backend_problems(dns: object, field_name: str = "dns") -> list[Problem]:
    """``dns`` must be a DNS backend (the host writes its records through it)."""
    if isinstance(dns, DnsBackend):
        return []
    reason = "must be a DNS backend (Route53Dns or CloudflareDns from pulumi_mta_sts.dns)"
    return [Problem(field_name, dns, reason)]


class PolicyHost(pulumi.ComponentResource, Generic[ArgsT], metaclass=ABCMeta):
    """Serves ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.

    - ``kind``: ``"cloudfront"`` or ``"worker"`` (a value of ``mta-sts:host.kind``);
    - ``hostname``: ``mta-sts.<domain>``; ``url``: the policy URL;
    - ``serving``: the resources that must be finished before the current policy body is what
      the URL serves (the ``_mta-sts`` TXT record waits for them, through ``PolicyLive``);
    - ``host_records``: DNS records the host created;
    - ``details``: outputs worth showing (``kind``, ``url``, distribution domain, bucket, script
      name ...).
    """

    kind: ClassVar[str]
    type_token: ClassVar[str]
    domain: str
    hostname: str
    url: str
    serving: list[pulumi.Resource]
    host_records: list[HostRecord]
    details: dict[str, Any]

    def __init__(self, name: str, args: ArgsT, opts: pulumi.ResourceOptions | None = None) -> None:
        domain, problems = normalize_hostname(args.domain, "domain")
        problems = [*problems, *policy_problems(args.policy), *self.problems(args)]
        if problems or domain is None:
            raise InputError(problems)  # before anything is registered
        super().__init__(self.type_token, name, None, opts)
        self.domain = domain
        self.hostname = policy_host(domain)
        self.url = policy_url(domain)
        parts = self.build(name, args)
        self.serving = parts.serving
        self.host_records = parts.host_records
        self.details = {"kind": self.kind, "url": self.url, **parts.details}
        self.register_outputs(self.details)

    @classmethod
    @abstractmethod
    def problems(cls, args: ArgsT) -> list[Problem]:
        """Every problem with the host's own arguments (``domain`` and ``policy`` are checked by
        :class:`PolicyHost`); field names are the argument names."""

    @abstractmethod
    def build(self, name: str, args: ArgsT) -> HostParts:
        """Create the host's resources as children of ``self`` (``self.domain``, ``hostname`` and
        ``url`` are set; the arguments are valid)."""
