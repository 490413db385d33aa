"""``TlsRptReceiver``, loaded on first use: :mod:`.archive` can be imported without ``pulumi_aws``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .component import TlsRptReceiver, TlsRptReceiverArgs

__all__ = ["TlsRptReceiver", "TlsRptReceiverArgs"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import component

        return getattr(component, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
