"""``mta-sts render``: the policy text, its id and the DNS records to publish, from flags or from a
stack file (``--stack NAME``); no cloud account, no network.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pulumi_mta_sts.config.stack import find_stack_file, load_stack_config, load_stack_file
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.records import policy_url, records_for
from pulumi_mta_sts.spec.receiver_settings import mailto_rua

from .argtypes import STACKS_DIR_HELP, add_command, add_flag

_FLAG_ONLY = ("domain", "mode", "mx", "max_age", "rua")


def register(sub: Any) -> None:
    parser = add_command(
        sub,
        "render",
        run,
        "print the policy, its id and the DNS records to publish",
        "Render the MTA-STS policy of a domain (from flags or a stack file), its id and DNS records.",
    )
    add_flag(parser, "stack", "read stacks/Pulumi.NAME.yaml instead of flags")
    add_flag(parser, "stacks-dir", STACKS_DIR_HELP)
    parser.add_argument("--domain", metavar="D", help="the mail domain, e.g. example.com")
    parser.add_argument("--mode", metavar="M", help=f"enforce | testing | none (default {defaults.DEFAULT_MODE})")
    parser.add_argument("--mx", metavar="P", action="append", help="an MX pattern (repeat for each MX host)")
    parser.add_argument(
        "--max-age", metavar="N", dest="max_age", help=f"policy max_age in seconds (default {defaults.DEFAULT_MAX_AGE})"
    )
    parser.add_argument("--rua", metavar="URI", action="append", help="a TLS-RPT destination (mailto: or https:)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def build(args: argparse.Namespace) -> dict[str, Any]:
    if args.stack is not None:
        if given := [f"--{name.replace('_', '-')}" for name in _FLAG_ONLY if getattr(args, name) is not None]:
            raise InputError([Problem(given[0], None, "cannot be combined with --stack; edit the stack file instead")])
        cfg = load_stack_file(find_stack_file(args.stack, args.stacks_dir))
    else:
        if not args.domain:
            raise InputError([Problem("--domain", None, "is required (or use --stack NAME)")])
        chosen = (("mode", args.mode), ("max_age", args.max_age))
        values: dict[str, Any] = {
            "domain": args.domain,
            "dns": {"provider": defaults.DNS_PROVIDERS[0]},  # irrelevant to rendering; keeps the config whole
            # mode and max_age left out take the config's defaults (core.defaults), as in a stack file
            "policy": {"mx": args.mx or [], **{k: v for k, v in chosen if v is not None}},
            "reporting": {"rua": args.rua or []},
        }
        try:
            cfg = load_stack_config(values)
        except InputError as exc:
            raise InputError(_as_flag(p) for p in exc.problems) from None
    policy = cfg.policy
    rua = list(cfg.reporting.rua)
    receiver = cfg.reporting.receiver
    if receiver.enabled:  # the receiver's mailbox is known now; its HTTPS endpoint only once deployed
        rua.append(mailto_rua(cfg.domain, receiver.settings))
    result: dict[str, Any] = {
        "domain": cfg.domain,
        "policy": policy.render(),
        "id": policy.id,
        "url": policy_url(cfg.domain),
        "records": [r.as_dict() for r in records_for(cfg.domain, policy, rua)],
    }
    if receiver.enabled:
        result["receiver"] = {"mailbox": rua[-1].removeprefix("mailto:"), "https": receiver.settings.https}
    return result


def _as_flag(problem: Problem) -> Problem:
    """Name flags, not config keys, when the input came from flags."""
    name = problem.field.removeprefix("mta-sts:")
    for prefix, flag in (
        ("policy.max_age", "--max-age"),
        ("policy.mx", "--mx"),
        ("policy.mode", "--mode"),
        ("reporting.rua", "--rua"),
        ("domain", "--domain"),
        ("policy.extensions", "--extension"),
    ):
        if name.startswith(prefix):
            return Problem(flag + name[len(prefix) :], problem.value, problem.reason)
    return problem


def run(args: argparse.Namespace) -> int:
    result = build(args)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in result["records"])
    print(f"MTA-STS policy for {result['domain']}")
    print(f"  served at {result['url']}")
    print(f"  id        {result['id']}")
    print()
    for line in result["policy"].splitlines():
        print(f"  | {line}")
    print()
    print("DNS records to publish:")
    for record in result["records"]:
        print(f"  {record['name']:<{width}}  {record['type']:<4} {json.dumps(record['value'])}")
    if result.get("receiver", {}).get("https"):
        print("  (the TLS-RPT receiver adds its HTTPS endpoint to the _smtp._tls rua once deployed)")
    if not any(r["name"].startswith("_smtp._tls.") for r in result["records"]):
        print("  (no _smtp._tls record: give --rua / mta-sts:reporting.rua to receive TLS failure reports)")
    return 0
