"""Facts about a peer certificate that the checks report (shared by HTTPS and STARTTLS)."""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CertInfo:
    issuer_organization: str
    issuer_common_name: str
    not_after: dt.datetime

    @property
    def issuer(self) -> str:
        return self.issuer_organization or self.issuer_common_name or "unknown issuer"

    def days_left(self, now: dt.datetime | None = None) -> float:
        moment = now or dt.datetime.now(dt.UTC)
        return (self.not_after - moment).total_seconds() / 86400


def cert_info(peer: dict[str, Any] | None) -> CertInfo | None:
    """From :meth:`ssl.SSLSocket.getpeercert` (only available after verification)."""
    if not peer:
        return None
    issuer: dict[str, str] = {}
    for rdn in peer.get("issuer", ()):
        for key, value in rdn:
            issuer.setdefault(key, value)
    not_after = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(peer["notAfter"]), dt.UTC)
    return CertInfo(issuer.get("organizationName", ""), issuer.get("commonName", ""), not_after)


def describe_tls_error(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate rejected: {exc.verify_message or exc.reason}"
    return f"TLS handshake failed: {exc.reason or exc}"
