"""The KeyValueStore keys of the shared CloudFront host (:func:`.edge_code.kvs_entries`): which
resources write them, in what order (docs/fleets.md, "The store's keys", has the sources).

- One ``KeyvaluestoreKeysExclusive`` (``<name>-policy-keys``) holds every key: the provider puts
  what differs in batches of up to 50 keys, then deletes every key not in its set (its own deletion
  deletes nothing): 1,000 domains are one resource and about 20 calls, not 1,000 resources written
  one by one under the provider's per-store lock.
- A policy over 1 KB has one ``KeyvaluestoreKey`` per chunk, written first: the exclusive
  resource's batches come in no order, so a reader never finds a head whose chunks are missing. A
  changed policy's old chunks go after the head has switched (its deletes follow its puts).
- ``migrating`` (the default) also declares each domain's head-key resource of earlier versions,
  same name and inputs, ``retain_on_delete=True``. Pulumi deletes a resource gone from the program
  with the options of its *old* state, which a program cannot see: without this, the first update
  of a stack deployed before would end by deleting every head key just written. Declared once so,
  the next update may drop them (``exclusive``) and nothing is deleted.
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
