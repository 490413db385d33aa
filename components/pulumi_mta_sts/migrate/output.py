"""A migration step as JSON (the documented keys, docs/cli.md) and as terminal lines; live DNS and
the served policy are quoted through :mod:`pulumi_mta_sts.escape.terminal`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.migrate_record import record_json
from pulumi_mta_sts.core.migrate_steps import Live, Step, stamp
from pulumi_mta_sts.escape import terminal


@dataclass
class Outcome:
    """One run: the domain, the stack, the step, what was written and the commands to run next."""

    domain: str
    stack: str
    stack_file: Path
    new_mx: tuple[str, ...]
    stack_mx: tuple[str, ...]
    live: Live
    step: Step
    written: bool = False
    next: list[str] = field(default_factory=list)


def _served(live: Live) -> dict[str, Any] | None:
    policy = live.policy
    if policy is None:
        return None
    return {"id": live.sts_id, "mode": policy.mode, "max_age": policy.max_age, "mx": list(policy.mx)}


def as_json(out: Outcome) -> dict[str, Any]:
    step, record = out.step, out.step.record
    after = record.narrow_after if record is not None else None
    return {
        "domain": out.domain,
        "stack": out.stack,
        "stack_file": str(out.stack_file),
        "step": step.number,
        "step_name": step.name,
        "state": step.state,
        "message": step.message,
        "live_mx": list(out.live.mx),
        "new_mx": list(out.new_mx),
        "stack_mx": list(out.stack_mx),
        "served_policy": _served(out.live),
        "ttls": {"mx": out.live.mx_ttl, "sts_txt": out.live.txt_ttl},
        "change": None if step.mx is None else {"mx": list(step.mx)},
        "narrowed_mx": list(step.narrowed),
        "narrow_after": None if after is None else stamp(after),
        "record": None if record is None else record_json(record),
        "written": out.written,
        "refused": step.refused,
        "warnings": list(step.warnings),
        "next": list(out.next),
    }


def json_text(out: Outcome) -> str:
    return json.dumps(as_json(out), indent=2, ensure_ascii=True)


def text_lines(out: Outcome) -> list[str]:
    step, live, record = out.step, out.live, out.step.record
    lines = [f"{out.domain}: step {step.number} of 4 ({step.state}): {step.message}"]
    lines.append(f"  live MX: {', '.join(live.mx)} (TTL {live.mx_ttl} s); new MX: {', '.join(out.new_mx)}")
    lines.append(f"  stack {out.stack} mx: {', '.join(out.stack_mx)}")
    if live.policy is not None:
        served = f"id {live.sts_id}, mode {live.policy.mode}, max_age {live.policy.max_age}"
        lines.append(f"  served policy: {served}, mx {', '.join(live.policy.mx)} (_mta-sts TTL {live.txt_ttl} s)")
    else:
        lines.append("  served policy: none (no _mta-sts record)")
    if record is not None and record.narrow_after is not None:
        lines.append(
            f"  narrow on or after {stamp(record.narrow_after)}: widened policy first seen live {stamp(record.seen)}"
            f" + {record.wait_seconds} s (max_age before the widening, _mta-sts and MX TTLs)"
        )
    if step.mx is not None:
        lines.append(f"  mx {'written' if out.written else 'to write'}: {', '.join(step.mx)}")
    lines += [f"  warning: {warning}" for warning in step.warnings]
    if step.refused:
        lines.append(f"  refused: {step.refused}")
    lines += ["next:", *(f"  {command}" for command in out.next)] if out.next else []
    return [terminal.shown(line) for line in lines]
