"""The stack program (:func:`main`; ``stacks/__main__.py``, every project ``mta-sts init`` writes
and ``mta-sts plan``'s mock engine run it), its steps in the order a deployment goes through them.

Nothing is registered before the layout's ``build`` (step 5 of :func:`main`), so a bad config or a
failed preflight leaves no resource; one domain or a fleet is decided once, in :mod:`.layouts`; the
optional parts are listed once, :data:`PARTS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pulumi

from pulumi_mta_sts.config.sections import Deployment
from pulumi_mta_sts.config.stack import load_any_config, no_reports_note, stack_values
from pulumi_mta_sts.core.errors import InputError, Problem

from . import sdk
from .dane_tlsrpt import PER_MX_TLSRPT
from .layouts import LAYOUTS
from .options import LiveDns, current_options, open_live_dns
from .part import TLSRPT_RECEIVER, StackPart
from .preflight import run_preflight
from .watch_part import WatchStep

#: The optional parts of the stack, in the order they are built. Add a new part here.
PARTS: tuple[StackPart, ...] = (TLSRPT_RECEIVER, PER_MX_TLSRPT)


class StackInputError(pulumi.RunError):
    """A user mistake found by the stack program. ``pulumi up`` prints the message without a
    traceback; ``mta-sts plan`` prints ``problems`` one per line."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn :class:`InputError` raised inside the block into :class:`StackInputError`."""
    try:
        yield
    except InputError as exc:
        raise StackInputError(exc.problems) from None


def enabled_parts(cfg: Deployment, parts: tuple[StackPart, ...] | None = None) -> tuple[StackPart, ...]:
    """The parts of ``parts`` (default :data:`PARTS`) the config turns on, in order."""
    if not LAYOUTS[cfg.layout].has_parts:
        return ()
    return tuple(part for part in (PARTS if parts is None else parts) if part.enabled(cfg.domains[0]))


def reporting_warnings(cfg: Deployment) -> list[str]:
    """Each domain that gets no ``_smtp._tls`` record (no ``rua``, no receiver), said once per run:
    a deploy can go on, but nothing will show what senders fail on before ``mode: enforce``."""
    receiver = LAYOUTS[cfg.layout].has_parts  # the receiver is a part
    silent = [d for d in cfg.domains if not (d.offboard or d.reporting.publishes_record)]
    warnings = [no_reports_note(d.domain, f"{d.prefix}reporting", receiver=receiver) for d in silent]
    for warning in warnings:
        pulumi.log.warn(warning)
    return warnings


def preflight(cfg: Deployment, live: LiveDns) -> list[str]:
    """The checks that must pass before any resource is registered: :class:`InputError` with the
    problems of every domain at once. Returns (and logs) the warnings, e.g. what was skipped."""
    if live.resolver is None:
        warnings = LAYOUTS[cfg.layout].offline_preflight(cfg, live)
    else:
        problems: list[Problem] = []
        warnings = []
        for domain in cfg.domains:
            try:
                warnings += run_preflight(domain, live)
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
    for warning in warnings:
        pulumi.log.warn(warning)
    return warnings


def main() -> None:
    """The steps, in the order a deployment goes through them."""
    with user_errors():  # a user's mistake ends the program with its message, no traceback
        options = current_options()  # 1. live DNS or not, which servers: plan's flags or the environment
        cfg = load_any_config(stack_values(sdk.stack_config()))  # 2. every mta-sts: key checked
        parts = enabled_parts(cfg)  # 3. the optional parts the config turns on (the TLS-RPT receiver)
        watch = WatchStep.of(cfg, stack_values(sdk.stack_config()))  # and the scheduled watcher, checked
        reporting_warnings(cfg)  # a domain without a _smtp._tls record
        live = open_live_dns(options)  # 4. the run's one resolver, or why there is none
        preflight(cfg, live)  # an uncovered live MX (enforce) or records in the way stop here
        deployment = LAYOUTS[cfg.layout].build(cfg, parts)  # 5. the resources; none registered before
        watch.build(cfg, deployment)  # the scheduled watcher, when mta-sts:watch.enabled
        deployment.warn_unmanaged_records(live)  # 6. hand-made records in live DNS: warnings
        deployment.export()  # 7. the stack outputs
