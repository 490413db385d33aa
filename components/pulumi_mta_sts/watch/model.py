"""What a watch round says: :class:`WatchProblem` (a stable ``code``, a severity, the message and the
fix) and :class:`Expectation`, what a stack declares for one domain, as JSON-serialisable data so a
scheduled watcher can carry it without the stack file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from pulumi_mta_sts.config.migrate_record import record_from_json, record_json
from pulumi_mta_sts.config.sections import Deployment, DomainConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.migrate_steps import Record
from pulumi_mta_sts.core.records import sts_record_value, tlsrpt_record_value
from pulumi_mta_sts.spec.receiver_settings import mailto_rua

Severity = Literal["fail", "warn"]
FAIL: Final = "fail"
WARN: Final = "warn"
SEVERITIES: Final = (WARN, FAIL)


@dataclass(frozen=True)
class WatchProblem:
    """One problem of one domain. ``code`` is stable across rounds (it names the check and, where there
    are several, the host: ``mx-not-covered:mx2.example.com``); ``level`` is what escalates within one
    code (``30``, ``14``, ``7`` days of a certificate): a higher level is said again."""

    code: str
    severity: Severity
    message: str
    fix: str
    level: int = 0

    def as_json(self, new: bool) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "new": new, "message": self.message, "fix": self.fix}

    @property
    def rank(self) -> tuple[int, int]:
        """How loud: a fail beats a warn, then the level."""
        return SEVERITIES.index(self.severity), self.level


@dataclass(frozen=True)
class Expectation:
    """What the stack declares for ``domain``: the policy text senders should fetch, its id, the
    ``_mta-sts`` value and the ``_smtp._tls`` rua (``None``: no record). ``rua_after_deploy``: the
    receiver adds its HTTPS endpoint, known only once deployed, so one more ``https:`` URI is expected.
    ``migration``: the record ``mta-sts migrate`` keeps in the stack file (a comment: only ``watch --stack``
    and ``--all`` read it), ``stack`` the stack's name for the fix it suggests."""

    domain: str
    policy: str
    id: str
    sts_record: str
    tlsrpt_rua: tuple[str, ...] | None = None
    rua_after_deploy: bool = False
    migration: Record | None = None
    stack: str | None = None

    def as_json(self) -> dict[str, Any]:
        rua = None if self.tlsrpt_rua is None else list(self.tlsrpt_rua)
        return {
            "domain": self.domain,
            "policy": self.policy,
            "id": self.id,
            "sts_record": self.sts_record,
            "tlsrpt_rua": rua,
            "rua_after_deploy": self.rua_after_deploy,
            "migration": None if self.migration is None else record_json(self.migration),
            "stack": self.stack,
        }

    @property
    def tlsrpt_record(self) -> str | None:
        """The ``_smtp._tls`` value as far as the stack knows it."""
        return None if self.tlsrpt_rua is None else tlsrpt_record_value(self.tlsrpt_rua, check=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "expectation") -> Expectation:
        """Back from :meth:`as_json` (e.g. a scheduled watcher's event); a wrong shape names the field."""
        text = {k: data.get(k) for k in ("domain", "policy", "id", "sts_record")}
        problems = [Problem(f"{where}.{k}", v, "must be text") for k, v in text.items() if not isinstance(v, str)]
        rua = data.get("tlsrpt_rua")
        if rua is not None and not (isinstance(rua, list) and all(isinstance(u, str) for u in rua)):
            problems.append(Problem(f"{where}.tlsrpt_rua", rua, "must be a list of URIs or null"))
        if not isinstance(data.get("rua_after_deploy", False), bool):
            problems.append(Problem(f"{where}.rua_after_deploy", data.get("rua_after_deploy"), "must be true or false"))
        if problems:
            raise InputError(problems)
        ruas = None if rua is None else tuple(rua)
        domain, policy, policy_id, sts = (str(v) for v in text.values())
        stack = data.get("stack") if isinstance(data.get("stack"), str) else None
        migration = record_from_json(data.get("migration"))  # one that does not read is none: a longer wait
        return cls(domain, policy, policy_id, sts, ruas, bool(data.get("rua_after_deploy", False)), migration, stack)


def expectation_of(config: DomainConfig) -> Expectation:
    """The same values ``render`` and ``plan`` publish: the served policy (``mode: none`` while
    offboarding), its id, and the rua (the receiver's mailbox last, as it publishes it)."""
    policy = config.served_policy
    ruas: tuple[str, ...] | None = config.reporting.rua or None
    receiver = config.reporting.receiver
    if receiver.enabled:
        ruas = tuple(dict.fromkeys((*config.reporting.rua, mailto_rua(config.domain, receiver.settings))))
    https = receiver.enabled and receiver.settings.https
    return Expectation(config.domain, policy.render(), policy.id, sts_record_value(policy.id), ruas, https)


def expectations_of(deployment: Deployment) -> dict[str, Expectation]:
    """Every domain of a stack (one domain or a fleet), by domain."""
    return {config.domain: expectation_of(config) for config in deployment.domains}
