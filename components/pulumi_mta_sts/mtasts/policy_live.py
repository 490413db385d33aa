"""``PolicyLive``: a dynamic resource "created" once the policy URL serves the expected bytes.

The ``_mta-sts`` record depends on it: a sender that sees a new id and fetches the old body caches
it under the new id for ``max_age`` (RFC 8461 §3.3, §5). On create and on every change, the provider
fetches the URL until a sender would accept exactly the new bytes, else the deploy stops with the old
id. Deployed stacks hold the provider pickled by this module path and class name: both are a contract.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from pulumi_mta_sts.core.defaults import VERIFY_TIMEOUT
from pulumi_mta_sts.core.policy import policy_id
from pulumi_mta_sts.net.served import PolicyNotServed, wait_until_served

TYPE_TOKEN = "pulumi-python:dynamic/mtasts:PolicyLive"
#: Inputs whose change means "verify again".
WATCHED = ("url", "policy_sha", "policy_text")


class PolicyLiveProvider(ResourceProvider):
    """Create / update = wait until served; delete = nothing (it only observes)."""

    serialize_as_secret_always = False  # nothing secret is captured

    def _verify(self, props: dict[str, Any]) -> dict[str, Any]:
        text = str(props["policy_text"])
        result = wait_until_served(str(props["url"]), text.encode("utf-8"), timeout=float(props["timeout"]))
        if not result.served:
            raise PolicyNotServed(result)
        return {**props, "served_id": policy_id(text), "attempts": len(result.attempts)}

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._verify(props)
        return CreateResult(id_=f"{props['url']}", outs=outs)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed = [key for key in WATCHED if _olds.get(key) != _news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._verify(_news))


@dataclass(frozen=True)
class PolicyLiveArgs:
    """Arguments of :class:`PolicyLive`: ``policy_text`` must be served at ``url`` byte for byte
    within ``timeout`` seconds."""

    url: str
    policy_text: str
    timeout: int = VERIFY_TIMEOUT


class PolicyLive(Resource, module="mtasts", name="PolicyLive"):
    """Exists once ``url`` serves ``policy_text``; outputs ``served_id`` (what was verified) and ``attempts``."""

    served_id: pulumi.Output[str]
    attempts: pulumi.Output[int]

    def __init__(self, name: str, args: PolicyLiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        text = args.policy_text
        props: dict[str, Any] = {
            "url": args.url,
            "policy_text": text,
            "policy_id": policy_id(text),
            "policy_sha": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "timeout": args.timeout,
            "served_id": None,
            "attempts": None,
        }
        super().__init__(PolicyLiveProvider(), name, props, opts)
