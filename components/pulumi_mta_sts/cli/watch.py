"""``mta-sts watch DOMAIN... [--stack NAME | --all] [--state FILE]``: one round of ``check``'s sender
view compared with what the stack declares and with the previous round (docs/watch.md). Exit 0 no
failure (warnings allowed), 1 a failure, 2 usage (a bad state file too), 3 DNS unreachable.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi_mta_sts.check.runner import CheckOptions
from pulumi_mta_sts.config.files import UnreadableFile, UnwritableFile, read_regular_file, write_file_atomically
from pulumi_mta_sts.config.migrate_record import read_record
from pulumi_mta_sts.config.stack import (
    find_stack_file,
    in_file,
    load_deployment_file,
    project_name,
    read_stack_file,
    stack_names,
    stack_values,
)
from pulumi_mta_sts.config.stack_edit import EditRefused, read_stack_text
from pulumi_mta_sts.config.watch import watch_config
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.watch import (
    Expectation,
    RoundOutcome,
    WatchProblem,
    WatchState,
    expectations_of,
    problems_from_reports,
    run_round,
    state_from_bytes,
)
from pulumi_mta_sts.watch.state import MAX_STATE_BYTES
from pulumi_mta_sts.watch.text import render_text

from .argtypes import STACKS_DIR_HELP, add_command, add_flag, cafile_unusable
from .check import add_connection_flags, options_from
from .report_sources import check_sources, read_sources

FORMATS = ("text", "json")
_DESCRIPTION = (
    "One round of the sender-view check ('mta-sts check') for each DOMAIN (default: every domain of the "
    "stack), compared with what the stack declares (policy, id, _mta-sts and _smtp._tls) and with the "
    "previous round (--state): uncovered MX hosts, drift, an unreachable policy host, certificates near their "
    "end (30, 14, 7 days), a policy long in testing. Each problem is new once per episode; a recovery is said "
    "once. Exit 0 no failure (warnings allowed), 1 a failure, 2 usage, 3 DNS unreachable."
)


def register(sub: Any) -> None:
    parser = add_command(
        sub, "watch", run, "one round of live checks against the stack and the last round", _DESCRIPTION
    )
    parser.add_argument("domains", nargs="*", metavar="DOMAIN", help="mail domains to watch (default: the stack's)")
    which = parser.add_mutually_exclusive_group()
    add_flag(which, "stack", "compare with this stack's declared values (stacks/Pulumi.NAME.yaml)")
    which.add_argument("--all", action="store_true", help="every stack of the stacks folder")
    add_flag(parser, "stacks-dir", STACKS_DIR_HELP)
    state = "the last round's state, rewritten after this one (created when missing); without it every problem is new"
    parser.add_argument("--state", type=Path, metavar="FILE", help=state)
    reports = "the receiver's stored reports (file, directory, s3://BUCKET[/PREFIX]): MX TLS failures of the last day"
    parser.add_argument("--reports", action="append", default=[], metavar="SOURCE", help=reports)
    add_flag(parser, "format", "output format (default text)", choices=FORMATS, default="text")
    add_connection_flags(parser)


def _stacks(args: argparse.Namespace) -> list[str]:
    if args.stacks_dir is not None and not (args.stack or args.all):
        reason = f"{args.stacks_dir} is read only with --stack NAME or --all; give one of them or leave it out"
        raise InputError([Problem("--stacks-dir", str(args.stacks_dir), reason)])
    if args.all:
        return stack_names(args.stacks_dir)
    return [args.stack] if args.stack is not None else []


def _declared(args: argparse.Namespace) -> tuple[dict[str, Expectation], dict[str, int]]:
    """Every stack's expectations and testing reminder, by domain."""
    expectations: dict[str, Expectation] = {}
    reminders: dict[str, int] = {}
    for stack in _stacks(args):
        path = find_stack_file(stack, args.stacks_dir)
        config = read_stack_file(path)
        deployment = load_deployment_file(path, config)
        try:
            days = watch_config(stack_values(config)).testing_reminder_days
        except InputError as exc:
            raise in_file(exc.problems, path) from None
        fleet = deployment.layout == "fleet"
        for domain, expected in _with_migration(expectations_of(deployment), path, stack, fleet).items():
            expectations[domain] = expected
            reminders[domain] = days
    return expectations, reminders


def _with_migration(declared: dict[str, Expectation], path: Path, stack: str, fleet: bool) -> dict[str, Expectation]:
    """Each domain's expectation with the record ``mta-sts migrate`` keeps in its stack file (a comment: no
    loader reads it): a one-domain stack's above ``mta-sts:policy``, a fleet domain's above its entry."""
    text, project = read_stack_text(path).text, project_name(path.parent)
    with_records = dict(declared)
    for domain, expected in declared.items():
        try:
            record = read_record(text, project, domain if fleet else None)
        except EditRefused:  # a stack file (or entry) the editor cannot read holds no record migrate wrote
            continue
        if record is not None or not fleet:
            with_records[domain] = dataclasses.replace(expected, migration=record, stack=stack)
    return with_records


def _domains(given: Sequence[str], declared: dict[str, Expectation], stacks: bool) -> list[str]:
    if not stacks:
        if not given:
            raise InputError([Problem("DOMAIN", None, "is required: name a domain, or give --stack NAME or --all")])
        return list(given)
    unknown = [d for d in given if d not in declared]
    if unknown:
        known = ", ".join(sorted(declared))
        raise InputError(
            [Problem("DOMAIN", d, f"{d} is not a domain of the stack (its domains: {known})") for d in unknown]
        )
    return list(given) or list(declared)


def _previous(path: Path | None) -> WatchState | None:
    """The state file (``None``: none given, or the first round); unusable: exit 2 naming it."""
    if path is None:
        return None
    if not path.exists() and not path.is_symlink():  # the first round: said now if it cannot be written
        if path.parent.is_dir():
            return None
        reason = f"{path} cannot be written: {path.parent} is not a directory; give a file in an existing folder"
        raise InputError([Problem("--state", str(path), reason)])
    try:
        data = read_regular_file(path, MAX_STATE_BYTES)
    except UnreadableFile as exc:
        reason = f"{path} {exc.reason}; name the state file a round wrote"
        raise InputError([Problem("--state", str(path), reason)]) from None
    return state_from_bytes(data, f"--state: {path}")


def _report_problems(sources: Sequence[str], now: dt.datetime) -> dict[str, list[WatchProblem]] | None:
    if not sources:
        return None
    results = list(read_sources(check_sources(sources)))
    return problems_from_reports((r.report for result in results for r in result.reports), now)


def _save(path: Path | None, state: WatchState) -> None:
    if path is None:
        return
    try:
        write_file_atomically(path, state.to_bytes())
    except UnwritableFile as exc:
        raise InputError([Problem("--state", str(path), f"{path} {exc.reason}; give a writable file")]) from None


def _round(args: argparse.Namespace, domains: list[str], options: CheckOptions, **given: Any) -> RoundOutcome:
    """``check``'s run and the judgement; an unreadable ``--cafile`` is named as ``check`` names it."""
    try:
        return run_round(domains, options=options, **given)
    except OSError as exc:  # e.g. an unreadable --cafile; without one, not the user's doing
        if args.cafile is None:
            raise
        raise cafile_unusable(args.cafile, exc) from None


def run(args: argparse.Namespace) -> int:
    domains, options = options_from(args)
    declared, reminders = _declared(args)
    domains = _domains(domains, declared, bool(args.stack or args.all))
    previous = _previous(args.state)
    now = dt.datetime.now(dt.UTC)
    found = _report_problems(args.reports, now)
    outcome = _round(
        args,
        domains,
        options,
        expectations=declared,
        previous=previous,
        report_problems=found,
        now=now,
        testing_reminder_days=reminders,
    )
    _save(args.state, outcome.state)
    print(terminal.json_text(outcome.as_json()) if args.format == "json" else render_text(outcome))
    return outcome.exit_code
