"""The policy-host interface: what :class:`~pulumi_mta_sts.mtasts.component.MtaSts` needs from a host.

Implementations: :class:`~pulumi_mta_sts.hosting.cloudfront.CloudFrontHost` (S3 + CloudFront +
ACM) and :class:`~pulumi_mta_sts.hosting.worker.WorkerHost` (a Cloudflare Worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi

__all__ = ["HostRecord", "PolicyHost"]


@dataclass(frozen=True)
class HostRecord:
    """A DNS record the host created (for the ``records`` output and ``mta-sts plan``)."""

    name: str
    type: str
    value: pulumi.Input[str]


class PolicyHost(pulumi.ComponentResource):
    """Serves ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.

    - ``kind``: ``"cloudfront"`` or ``"worker"``;
    - ``hostname``: ``mta-sts.<domain>``; ``url``: the policy URL;
    - ``serving``: the resources that must be finished before the current policy body is what
      the URL serves (the ``_mta-sts`` TXT record waits for them, through ``PolicyLive``);
    - ``host_records``: DNS records the host created;
    - ``details``: outputs worth showing (distribution domain, bucket, script name ...).
    """

    kind: ClassVar[str] = ""
    hostname: str
    url: str
    serving: list[pulumi.Resource]
    host_records: list[HostRecord]
    details: dict[str, Any]
