"""The steps of the stack program, in this order (:func:`main` is the program: ``stacks/__main__.py``
and the ``__main__.py`` of every project ``mta-sts init`` writes call it)::

    with stack.user_errors():                       # InputError -> a clean Pulumi error, no traceback
        options = stack.program_options()           # 1. live DNS or not, which servers (.options)
        cfg = stack.load_config()                   # 2. every mta-sts: key validated
        parts = stack.enabled_parts(cfg)            # 3. the optional parts the config turns on (PARTS)
        stack.reporting_warnings(cfg)               #    a domain without a _smtp._tls record: a warning
        live = stack.open_live_dns(options)         # 4. the run's one resolver (or why there is none)
        stack.preflight(cfg, live)                  #    an uncovered live MX (enforce), or records
                                                        #    in the way at mta-sts.<domain>, stop here
        deployment = stack.build(cfg, parts)        # 5. MtaSts, then each part on top of it
        stack.warn_unmanaged_records(deployment, live)  # 6. hand-made records in live DNS: warnings
        stack.export(deployment)                    # 7. the stack outputs

Each step treats a stack as the list of its domains; what differs between one domain and a fleet
(``mta-sts:domains``) is decided once, in :mod:`.layouts`.

Nothing is registered before step 5, so a bad config or a failed preflight leaves no resource.
The preflight looks at the MX hosts (enforce) and at what is already at ``mta-sts.<domain>``
(:func:`pulumi_mta_sts.program.preflight.check_host_records`). The live look-ups happen in steps
4 and 6 only, through the resolver the options allow; the
components make none. The optional parts are plugged in one place, :data:`PARTS` (see
:mod:`.part`); no step names a part.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pulumi

from pulumi_mta_sts.config.sections import NAMESPACE, Deployment
from pulumi_mta_sts.config.stack import load_any_config, no_reports_note
from pulumi_mta_sts.config.stack_file import decode_config_value
from pulumi_mta_sts.core.errors import InputError, Problem

from . import sdk
from .layouts import LAYOUTS, Built
from .options import LiveDns, ProgramOptions, current_options, open_live_dns
from .part import StackPart
from .preflight import run_preflight
from .receiver_part import TLSRPT_RECEIVER

__all__ = [
    "PARTS",
    "StackInputError",
    "build",
    "config_values",
    "enabled_parts",
    "export",
    "load_config",
    "main",
    "open_live_dns",
    "preflight",
    "program_options",
    "reporting_warnings",
    "user_errors",
    "warn_unmanaged_records",
]

#: The optional parts of the stack, in the order they are built. Add a new part here.
PARTS: tuple[StackPart, ...] = (TLSRPT_RECEIVER,)


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


# ---- 1. options, 2. config, 3. parts -------------------------------------------------------------
def program_options() -> ProgramOptions:
    """The options handed to this run (``mta-sts plan``), else those of the environment
    (``MTA_STS_NO_LIVE_DNS``, ``MTA_STS_NAMESERVERS``) under ``pulumi up``."""
    return current_options()


def config_values(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:<key>`` of the stack config (keys without the namespace); structured
    values (objects, lists) decoded from the JSON the engine passes them as."""
    prefix = f"{namespace}:"
    merged = sdk.stack_config()
    return {
        k[len(prefix) :]: decode_config_value(v)
        for k, v in merged.items()
        if isinstance(k, str) and k.startswith(prefix)
    }


def load_config(values: Mapping[str, Any] | None = None) -> Deployment:
    """The checked stack config (from the Pulumi config unless ``values`` is given): one domain, or a
    fleet when ``mta-sts:domains`` is set. Raises :class:`InputError` naming every wrong ``mta-sts:`` key."""
    return load_any_config(config_values() if values is None else values)


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


# ---- 4. live DNS before any resource ---------------------------------------------------------------
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


# ---- 5. the resources, 6. live DNS after, 7. the stack outputs ------------------------------------
def build(cfg: Deployment, parts: tuple[StackPart, ...] = ()) -> Built:
    """The stack's resources, as its layout builds them (:mod:`.layouts`); nothing before this step."""
    return LAYOUTS[cfg.layout].build(cfg, parts)


def warn_unmanaged_records(deployment: Built, live: LiveDns) -> list[str]:
    """Look up the records the stack publishes in live DNS and warn (never fail) about hand-made ones
    it would not own. Returns the warnings."""
    return deployment.warn_unmanaged_records(live)


def export(deployment: Built) -> None:
    """The stack outputs."""
    deployment.export()


# ---- the program ----------------------------------------------------------------------------------
def main() -> None:
    """The stack program: what ``pulumi up`` / ``pulumi preview`` run (``stacks/__main__.py``, and the
    ``__main__.py`` ``mta-sts init`` writes into a new project, call it), and ``mta-sts plan`` under
    Pulumi's mock engine. The steps, in the order a deployment goes through them."""
    with user_errors():  # user mistakes end the program with their message, no traceback
        # 1. How this run may reach the outside world: the flags of `mta-sts plan`, or under
        #    `pulumi up` the switches MTA_STS_NO_LIVE_DNS=1 and MTA_STS_NAMESERVERS=HOST[:PORT].
        options = program_options()
        # 2. Config: every mta-sts: key validated; errors stop here, before any resource exists.
        cfg = load_config()
        # 3. The optional parts the config turns on: the TLS-RPT receiver (mta-sts:reporting.receiver);
        #    a domain that gets no _smtp._tls record (no rua, no receiver) is warned about.
        parts = enabled_parts(cfg)
        reporting_warnings(cfg)
        # 4. Preflight on live DNS, before any resource: with mode enforce, a live MX host the policy
        #    does not cover stops here (mta-sts:preflight.mx_coverage: false only warns).
        live = open_live_dns(options)
        preflight(cfg, live)
        # 5. The resources: MtaSts for the domain, then each part on top of it (the receiver also
        #    publishes the _smtp._tls record, with its own mailto:/https: rua added).
        deployment = build(cfg, parts)
        # 6. Live DNS: warn about hand-made _mta-sts / _smtp._tls records the stack would not own.
        warn_unmanaged_records(deployment, live)
        # 7. The stack outputs.
        export(deployment)
