"""The policy-host interface (:mod:`.cloudfront`, :mod:`.worker`): :class:`PolicyHost` checks every
argument before anything is registered, then builds, then registers the outputs, so a mistake never
leaves a half-built host in the stack.
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


@dataclass(frozen=True)
class HostRecord:
    """A DNS record the host created (the ``records`` output)."""

    name: str
    type: str
    value: pulumi.Input[str]


@dataclass(frozen=True)
class HostParts:
    """What :meth:`PolicyHost.build` made (fields: :class:`PolicyHost`)."""

    serving: list[pulumi.Resource]
    host_records: list[HostRecord]
    details: Mapping[str, Any] = field(default_factory=dict)


class HostArgs(Protocol):
    """The arguments every host takes."""

    @property
    def domain(self) -> str: ...

    @property
    def policy(self) -> object: ...


ArgsT = TypeVar("ArgsT", bound=HostArgs)


def dns_backend_problems(dns: object, field_name: str = "dns") -> list[Problem]:
    """``dns`` must be a DNS backend (records are written through it)."""
    if isinstance(dns, DnsBackend):
        return []
    reason = f"must be a DNS backend (Route53Dns or CloudflareDns from pulumi_mta_sts.dns), got {type(dns).__name__}"
    return [Problem(field_name, dns, reason)]


class PolicyHost(pulumi.ComponentResource, Generic[ArgsT], metaclass=ABCMeta):
    """Serves ``https://mta-sts.<domain>/.well-known/mta-sts.txt``: ``kind`` is a value of
    ``mta-sts:host.kind``; ``serving``, what must be finished before the URL serves the current
    body (the ``_mta-sts`` record waits for it, through ``PolicyLive``); ``host_records``, the DNS
    records the host made; ``details``, the outputs worth showing."""

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
        """Every problem with the host's own arguments (``domain`` and ``policy`` are checked for it)."""

    @abstractmethod
    def build(self, name: str, args: ArgsT) -> HostParts:
        """Create the host's resources as children of ``self`` (``domain``, ``hostname``, ``url`` set)."""
