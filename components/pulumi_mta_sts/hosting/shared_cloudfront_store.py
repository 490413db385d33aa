"""The KeyValueStore keys of the shared CloudFront host (:func:`.edge_code.kvs_entries`): which
resources write them, in what order (docs/fleets.md, "The store's keys", has why and the sources).

One ``KeyvaluestoreKeysExclusive`` holds every key (1,000 domains: one resource, some 20 calls).
A policy over 1 KB has one ``KeyvaluestoreKey`` per chunk, written first (the exclusive
resource's batches come in no order: a head never points at missing chunks). ``migrating`` also
declares each domain's head-key resource of earlier versions with ``retain_on_delete``: Pulumi
deletes what left the program with its *old* state's options, so a stack deployed before would
otherwise end its first update by deleting every head key just written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from pulumi_mta_sts.core.errors import provider_sdk
from pulumi_mta_sts.core.records import policy_host

with provider_sdk("SharedCloudFrontHosting"):
    import pulumi_aws as aws

from .edge_code import CHUNK_SEPARATOR, kvs_entries
from .shared import FleetSite


@dataclass(frozen=True)
class StoreKeys:
    """What writes the store: the exclusive resource, and each domain's own key resources (its
    chunks and, in ``migrating``, its retained head)."""

    exclusive: aws.cloudfront.KeyvaluestoreKeysExclusive
    per_domain: dict[str, list[aws.cloudfront.KeyvaluestoreKey]]

    def served(self, domain: str) -> tuple[pulumi.Resource, ...]:
        """What must be written before ``domain``'s policy is in the store."""
        return (*self.per_domain[domain], self.exclusive)


def _chunk_label(key: str) -> str:
    """``<tag>-<i>`` of a chunk key ``<host>~<tag>~<i>``, in its resource name: a changed policy's
    chunks are new resources, created before the head switches to them."""
    return key.split(CHUNK_SEPARATOR, 1)[1].replace(CHUNK_SEPARATOR, "-")


def _per_key(
    name: str, store: aws.cloudfront.KeyValueStore, site: FleetSite, layout: str, parent: pulumi.Resource
) -> list[aws.cloudfront.KeyvaluestoreKey]:
    """The site's own key resources, named as before: its chunks, and in ``migrating`` its head."""
    *chunks, (host, head) = kvs_entries(policy_host(site.domain), site.policy_text)
    made = [
        aws.cloudfront.KeyvaluestoreKey(
            f"{name}-{site.domain}-policy-{_chunk_label(key)}",
            key_value_store_arn=store.arn,
            key=key,
            value=value,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for key, value in chunks
    ]
    if layout == "migrating":
        made.append(
            aws.cloudfront.KeyvaluestoreKey(
                f"{name}-{site.domain}-policy",
                key_value_store_arn=store.arn,
                key=host,
                value=head,
                opts=pulumi.ResourceOptions(parent=parent, depends_on=list(made), retain_on_delete=True),
            )
        )
    return made


def store_keys(
    name: str, store: aws.cloudfront.KeyValueStore, sites: Sequence[FleetSite], layout: str, parent: pulumi.Resource
) -> StoreKeys:
    """Every key of ``sites``, written as the module docs say (``layout`` checked by the caller)."""
    per_domain = {site.domain: _per_key(name, store, site, layout, parent) for site in sites}
    entries = sorted(
        (key, value) for site in sites for key, value in kvs_entries(policy_host(site.domain), site.policy_text)
    )
    exclusive = aws.cloudfront.KeyvaluestoreKeysExclusive(
        f"{name}-policy-keys",
        key_value_store_arn=store.arn,
        resource_key_value_pairs=[
            aws.cloudfront.KeyvaluestoreKeysExclusiveResourceKeyValuePairArgs(key=key, value=value)
            for key, value in entries
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[r for rs in per_domain.values() for r in rs]),
    )
    return StoreKeys(exclusive, per_domain)
