"""Results of ``mta-sts check``: one :class:`CheckResult` per check, grouped per domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .watch_facts import CertInfo, DomainFacts

#: The check ids, in the order they are reported: ``starttls:<mx-host>`` (or one ``starttls`` skip) and
#: ``dane:<mx-host>`` per MX host, ``delegation:<name>`` per delegated name (hosted mode only). A bug in
#: the checker is one failed ``checker`` result for that domain, not a traceback.
CHECK_IDS = (
    "sts-record",
    "policy-fetch",
    "policy-content",
    "policy-id",
    "mx-coverage",
    "starttls",
    "dane",
    "tlsrpt-record",
    "policy-host-ip",
    "caa",
    "delegation",
)


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class CheckResult:
    """``id`` names the check (see :data:`CHECK_IDS`); ``detail`` says in one line what was found;
    ``hint`` says how to fix it (empty when there is nothing to fix)."""

    id: str
    status: Status
    detail: str
    hint: str = ""
    certificate: CertInfo | None = field(default=None, compare=False)  # STARTTLS: the verified one

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status.value, "detail": self.detail, "hint": self.hint}


def passed(check_id: str, detail: str, certificate: CertInfo | None = None) -> CheckResult:
    return CheckResult(check_id, Status.PASS, detail, certificate=certificate)


def warned(check_id: str, detail: str, hint: str, certificate: CertInfo | None = None) -> CheckResult:
    return CheckResult(check_id, Status.WARN, detail, hint, certificate)


def failed(check_id: str, detail: str, hint: str, certificate: CertInfo | None = None) -> CheckResult:
    return CheckResult(check_id, Status.FAIL, detail, hint, certificate)


def skipped(check_id: str, detail: str, hint: str = "") -> CheckResult:
    return CheckResult(check_id, Status.SKIP, detail, hint)


@dataclass
class DomainReport:
    domain: str
    checks: list[CheckResult] = field(default_factory=list)
    facts: DomainFacts | None = None  # what was seen, as data (``mta-sts watch``)

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings and skips do not count)."""
        return not any(c.status is Status.FAIL for c in self.checks)

    def get(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def as_dict(self) -> dict[str, object]:
        return {"domain": self.domain, "ok": self.ok, "checks": [c.as_dict() for c in self.checks]}
