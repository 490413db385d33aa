"""The mta-sts policy pack: MTA-STS mistakes caught in any Pulumi program at preview and update.

``pulumi preview --policy-pack <this directory>`` runs this file (``python -m pulumi.policy``
runs the pack's directory as ``__main__``); constructing ``PolicyPack`` starts the analyzer
server the CLI talks to. The rules: :mod:`pulumi_mta_sts.guard` (docs/packaging.md).
"""

from mta_sts_pack import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,  # each policy sets its own level
    policies=POLICIES,
    description="MTA-STS (RFC 8461) mistakes: duplicate records, stale ids, policy files and hosts senders refuse",
)
