"""The plan's comparison with live DNS in ``mta-sts plan --format json``.

Added to the plan's document (the keys it had stay as they were):

- every ``dns`` entry gains ``"status"`` — ``"create"``, ``"change"``, ``"unchanged"`` or
  ``"unknown"`` (the value is only known after the deploy), or ``null`` when the record was not
  compared (``--no-live-dns``, or live DNS did not answer) — and ``"live"``: the values DNS
  serves today at that name and type, or ``null`` (nothing served, or not compared). Entries of
  one record set (one name and type) share both;
- ``"live_dns"``: ``{"compared": bool, "reason": str | null}`` (why nothing was compared);
- ``"policy_diff"``: the policy change of the document's ``domain`` (a fleet's first domain;
  ``old`` served today, ``new``, ``id_rolls``, the unified ``diff``, ``problem``, ``live_mx``; see
  :meth:`~pulumi_mta_sts.plan.live_diff.PolicyDiff.as_json`), and ``"policy_diffs"``: one per
  ``_mta-sts`` record of the plan (in a fleet: one per domain, in the order of ``mta-sts:domains``);
- ``"safety_notes"``: ``[{"code", "level", "message", "domain"}]``, most serious first.
"""

from __future__ import annotations

from typing import Any

from .live_diff import LiveComparison

__all__ = ["add_live"]


def add_live(plan: dict[str, Any], live: LiveComparison) -> dict[str, Any]:
    """``plan`` (the plan's JSON document) with the comparison ``live`` added."""
    for entry in plan["dns"]:
        record = live.record_for(entry["name"], entry["type"])
        entry["status"] = None if record is None else record.status
        entry["live"] = None if record is None or record.live is None else list(record.live)
    diffs = [diff.as_json() for diff in live.policies]
    plan["live_dns"] = {"compared": live.compared, "reason": live.reason}
    plan["policy_diff"] = next((d for d in diffs if d["domain"] == plan["domain"]), diffs[0] if diffs else None)
    plan["policy_diffs"] = diffs
    plan["safety_notes"] = [{**note.as_json(), "domain": domain} for domain, note in live.notes]
    return plan
