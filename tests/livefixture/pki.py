"""A throwaway certificate authority (trustme) and server contexts chosen by SNI."""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import trustme

#: Organisation name of the fixture CA; CAA value ``fixturetrust.test`` names it (see caa.py's
#: issuer-to-CAA heuristic: the CAA domain's first label appears in the issuer organisation).
CA_ORGANIZATION = "Fixture Trust"
CA_CAA_DOMAIN = "fixturetrust.test"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Pki:
    """One CA plus a cache of server contexts, one per certificate shape."""

    ca: trustme.CA = field(default_factory=lambda: trustme.CA(organization_name=CA_ORGANIZATION))
    _dir: tempfile.TemporaryDirectory[str] = field(default_factory=tempfile.TemporaryDirectory)

    @property
    def cafile(self) -> str:
        path = Path(self._dir.name) / "ca.pem"
        if not path.exists():
            self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def server_context(self, *names: str, expired: bool = False, days_left: int | None = None) -> ssl.SSLContext:
        """A server context whose certificate names ``names``; ``expired`` ends its validity
        yesterday, ``days_left`` ends it that many days from now."""
        now = _now()
        not_after = None
        not_before = None
        if expired:
            not_before, not_after = now - dt.timedelta(days=30), now - dt.timedelta(days=1)
        elif days_left is not None:
            not_before, not_after = now - dt.timedelta(days=30), now + dt.timedelta(days=days_left)
        cert = self.ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        return ctx

    def close(self) -> None:
        self._dir.cleanup()
