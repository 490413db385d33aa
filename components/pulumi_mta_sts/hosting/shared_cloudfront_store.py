"""The KeyValueStore keys of the shared CloudFront host: which resources write them, in what order.

The store holds every policy under its host name (large ones in chunks:
:func:`~.shared_cloudfront_function.kvs_entries`). What writes it:

- one ``aws.cloudfront.KeyvaluestoreKeysExclusive`` (``<host name>-policy-keys``) holding every key
  of the fleet. The provider (Terraform's ``aws_cloudfrontkeyvaluestore_keys_exclusive``) lists the
  store, puts what differs in batches of at most 50 keys per ``UpdateKeys`` call, then deletes every
  key that is not in its set; its own deletion deletes nothing. So 1,000 domains are one resource
  and about 20 API calls, not 1,000 resources written one by one under the provider's per-store
  lock; and the store holds nothing but what the fleet serves.
- a policy over 1 KB: one ``KeyvaluestoreKey`` per chunk (named by the policy's tag, as before),
  and the exclusive resource depends on them. Its batches come in no guaranteed order, so a head key
  and its chunks may be written in different calls; the chunks are therefore written first by
  their own resources, and a reader never finds a head whose chunks are missing. A changed policy's
  old chunks are deleted by the exclusive resource after the head has switched (its deletes come
  after its puts), and their resources' own deletion at the end of the update finds them gone.
- ``store_keys: migrating`` (the default) also declares each domain's head-key resource of earlier
  versions, with the same name and inputs, ``retain_on_delete=True``, before the exclusive one.
  Pulumi deletes a resource that left the program at the end of the update with the options of the
  *old* state (``DeleteStep`` skips the provider when the old state says ``RetainOnDelete``), and a
  program cannot see its state: without this, the first update of a stack deployed before would
  end by deleting every head key the exclusive resource had just written. Declared once with the
  option, the next update may drop them (``store_keys: exclusive``) and nothing is deleted.

docs/fleets.md ("The store's keys") gives the sources read and the migration steps.
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
    """What writes the store: the exclusive resource, and per domain its own key resources."""

    exclusive: aws.cloudfront.KeyvaluestoreKeysExclusive
    per_domain: dict[str, list[aws.cloudfront.KeyvaluestoreKey]]
    """Domain -> its chunk resources (policies over 1 KB) and, in ``migrating``, its retained head."""

    def served(self, domain: str) -> tuple[pulumi.Resource, ...]:
        """What must be written before ``domain``'s policy is in the store."""
        return (*self.per_domain[domain], self.exclusive)


def _chunk_label(key: str) -> str:
    """``<tag>-<i>`` of a chunk key ``<host>~<tag>~<i>`` (part of its resource name: a changed
    policy's chunks are new resources, created before the head switches to them)."""
    return key.split(CHUNK_SEPARATOR, 1)[1].replace(CHUNK_SEPARATOR, "-")


def _per_key(
    name: str, store: aws.cloudfront.KeyValueStore, site: FleetSite, layout: str, parent: pulumi.Resource
) -> list[aws.cloudfront.KeyvaluestoreKey]:
    """The site's own key resources, named as every earlier version named them: its chunks, and in
    ``migrating`` its head (after its chunks, kept with ``retain_on_delete``)."""
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
    """Every key of ``sites`` written as the module docs say; ``layout`` is checked by the caller."""
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
