"""pulumi-mta-sts: MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460) for a mail domain.

The public names load on first use (PEP 562): ``import pulumi_mta_sts`` imports no Pulumi, so the
CLI, the checker and the Lambda stay light; a missing extra is a :class:`MissingExtraError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_mta_sts.core import InputError, Policy, Problem
    from pulumi_mta_sts.core.errors import MissingExtraError
    from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, Route53Dns, Route53DnsArgs
    from pulumi_mta_sts.mtasts import DelegationArgs, FleetDomainArgs, MtaSts, MtaStsArgs, MtaStsFleet, MtaStsFleetArgs
    from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
    from pulumi_mta_sts.spec import DnsConfig, ReceiverSettings

    __version__: str
    """The installed distribution's version, from the release's git tag (setuptools-scm when the
    package is built); ``0.0.0+unknown`` when the package runs without being installed."""

#: The distribution whose version is ``__version__``.
DISTRIBUTION = "pulumi-mta-sts"

#: Public name → the module that defines it (imported when the name is first used).
_SOURCES: dict[str, str] = {
    name: f"pulumi_mta_sts.{module}"
    for module, names in (
        ("mtasts", "MtaSts MtaStsArgs MtaStsFleet MtaStsFleetArgs FleetDomainArgs DelegationArgs"),
        ("receiver.component", "TlsRptReceiver TlsRptReceiverArgs"),
        ("dns", "Route53Dns Route53DnsArgs CloudflareDns CloudflareDnsArgs"),
        ("core", "Policy InputError Problem"),
        ("core.errors", "MissingExtraError"),
        ("spec", "DnsConfig ReceiverSettings"),
    )
    for name in names.split()
}

__all__ = [
    "CloudflareDns",
    "CloudflareDnsArgs",
    "DelegationArgs",
    "DnsConfig",
    "FleetDomainArgs",
    "InputError",
    "MissingExtraError",
    "MtaSts",
    "MtaStsArgs",
    "MtaStsFleet",
    "MtaStsFleetArgs",
    "Policy",
    "Problem",
    "ReceiverSettings",
    "Route53Dns",
    "Route53DnsArgs",
    "TlsRptReceiver",
    "TlsRptReceiverArgs",
    "__version__",
]


def _installed_version() -> str:
    """The version in the installed distribution's metadata (read once, on first use)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0.0.0+unknown"


def _load(name: str) -> Any:
    """The module's ``__getattr__``: import the public ``name`` from its home on first use."""
    if name == "__version__":
        globals()[name] = found = _installed_version()
        return found
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(source), name)
    except ModuleNotFoundError as exc:
        from pulumi_mta_sts.core.errors import MissingExtraError

        missing = MissingExtraError.from_import_error(exc, name)
        if missing is None:
            raise  # not a missing extra: a real error, shown as it is
        raise missing from None
    globals()[name] = value  # the next use is a plain attribute look-up
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if not TYPE_CHECKING:  # mypy reads the imports above instead, so it still reports a misspelt name
    __getattr__ = _load
