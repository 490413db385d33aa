"""What the stack program (``stacks/__main__.py``) calls: config → components → exports.

Order, so that nothing is registered on a bad config or a failed preflight::

    with stack.user_errors():          # InputError -> a clean Pulumi error, no traceback
        cfg = stack.load_config()      # 1. validate every mta-sts: key (pulumi_mta_sts.config.stack)
        ...                            # 2. preflight checks (they may raise InputError)
        mtasts = stack.run(cfg)        # 3. the resources
        receiver = add_receiver(cfg, mtasts)  # 4. optional: the TLS-RPT receiver
        stack.export(mtasts, receiver) # 5. the stack outputs
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from pulumi_mta_sts.config.stack import NAMESPACE, StackConfig, load_stack_config
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs

from .receiver import ReceiverDeployment, mtasts_config

__all__ = ["StackInputError", "config_values", "export", "load_config", "run", "user_errors"]


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


def _decode(value: object) -> object:
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def config_values(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:<key>`` of the stack config (keys without the namespace); structured
    values (objects, lists) decoded from the JSON the engine passes them as."""
    prefix = f"{namespace}:"
    merged: dict[str, Any] = {**get_config_env(), **CONFIG.get()}
    return {k[len(prefix) :]: _decode(v) for k, v in merged.items() if isinstance(k, str) and k.startswith(prefix)}


def load_config(values: Mapping[str, Any] | None = None) -> StackConfig:
    """The validated stack config (from the Pulumi config unless ``values`` is given). Raises
    :class:`InputError` naming every wrong ``mta-sts:`` key."""
    return load_stack_config(config_values() if values is None else values)


def run(cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> MtaSts:
    """Instantiate :class:`MtaSts` for the stack's domain. The resource name is the domain with
    dots as dashes (``example.com`` → ``example-com``). With the TLS-RPT receiver enabled, the
    ``_smtp._tls`` record is left to :func:`~pulumi_mta_sts.program.receiver.add_receiver`, which adds
    the receiver's own ``rua``."""
    return MtaSts(cfg.domain.replace(".", "-"), MtaStsArgs.from_config(mtasts_config(cfg)), opts)


def export(mtasts: MtaSts, receiver: ReceiverDeployment | None = None) -> None:
    """Stack outputs: ``domain``, ``policy_id``, ``policy_text``, ``policy_url``, ``records`` (with
    the receiver's ``_smtp._tls`` record when it publishes it), ``host``."""
    pulumi.export("domain", mtasts.domain)
    pulumi.export("policy_id", mtasts.policy_id)
    pulumi.export("policy_text", mtasts.policy_text)
    pulumi.export("policy_url", mtasts.policy_url)
    records = mtasts.records
    if receiver is not None:
        records = pulumi.Output.all(mtasts.records, receiver.tlsrpt_record).apply(lambda v: [*v[0], v[1]])
    pulumi.export("records", records)
    pulumi.export("host", mtasts.host)
