"""The scheduled watcher on AWS (``mta-sts:watch.enabled: true``, docs/watch-scheduled.md): a step of the stack
program beside the optional parts, for one domain and for a fleet alike. :meth:`WatchStep.of` checks
the ``mta-sts:watch`` settings before anything registers; :meth:`WatchStep.build`, after the layout is
built, adds a :class:`~pulumi_mta_sts.receiver.watch_schedule.ScheduledWatch` for every domain of the
stack, using the TLS-RPT receiver's bucket, reports and topic when the stack has one. A stack without
``watch.enabled`` gets nothing: not a resource, not an output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from pulumi_mta_sts.config.sections import Deployment
from pulumi_mta_sts.config.watch import WatchConfig, watch_config
from pulumi_mta_sts.core.errors import InputError

from .layouts import Layout, OneDomain
from .part import resource_name

#: The stack output of an enabled watcher.
OUTPUT = "watch"


@dataclass(frozen=True)
class WatchStep:
    """The stack's ``mta-sts:watch`` settings (``alarm_email`` defaulted) and its ``mta-sts:`` values,
    which the watcher's function reads as ``mta-sts watch --stack`` reads the stack file."""

    config: WatchConfig
    values: Mapping[str, Any]

    @classmethod
    def of(cls, cfg: Deployment, values: Mapping[str, Any]) -> WatchStep:
        """Checked as the stack loaders check them (the schedule as EventBridge Scheduler reads it)."""
        return cls(watch_config(values), values)

    def build(self, cfg: Deployment, layout: Layout) -> None:
        """The watcher, when enabled, and its output ``watch``."""
        if not self.config.enabled:
            return
        from pulumi_mta_sts.receiver.watch_schedule import ScheduledWatch, ScheduledWatchArgs  # pulumi_aws: when used

        receiver = _receiver(cfg, layout)
        own_topic = receiver is None or self.config.alarm_email != cfg.domains[0].reporting.alarm_email
        name = "fleet-watch" if cfg.layout == "fleet" else f"{resource_name(cfg.domains[0])}-watch"
        args = ScheduledWatchArgs(
            domains=[domain.domain for domain in cfg.domains],
            stack=dict(self.values),
            schedule=self.config.schedule,
            alarm_email=self.config.alarm_email if own_topic else None,
            receiver_bucket=None if receiver is None else receiver["bucket"],
            receiver_topic=None if own_topic or receiver is None else receiver["alarm_topic"],
            region=None if receiver is None else cfg.domains[0].reporting.receiver.settings.region,
        )
        try:
            watch = ScheduledWatch(name, args)
        except InputError as exc:
            raise InputError(p.under("mta-sts:watch") for p in exc.problems) from None
        outputs = {"function": watch.function_name, "schedule": watch.schedule_name, "bucket": watch.bucket_name}
        pulumi.export(OUTPUT, {**outputs, "topic": watch.topic_arn})


def _receiver(cfg: Deployment, layout: Layout) -> Mapping[str, Any] | None:
    """The TLS-RPT receiver's outputs (``bucket``, ``alarm_topic``), when this one-domain stack built one."""
    if not isinstance(layout, OneDomain):
        return None
    found = [part.exports["tlsrpt_receiver"] for part in layout.parts if "tlsrpt_receiver" in part.exports]
    return found[0] if found else None
