"""Real servers on loopback for end-to-end tests of ``mta-sts check`` and the preflight.

:class:`LiveFixture` starts, on 127.0.0.1 (and ::1) and random free ports:

- an authoritative DNS server (dnslib) serving an in-memory :class:`Zone` (in-zone CNAMEs
  followed, NXDOMAIN for unknown names, black holes for timeouts);
- an HTTPS server whose certificate is chosen by SNI, from a throwaway CA (trustme);
- SMTP servers (aiosmtpd): STARTTLS offered on 127.0.0.1, not offered on 127.0.0.2.

:meth:`LiveFixture.publish` sets up one correct domain (policy rendered by our core, TXT
records, MX hosts with certificates, CAA allowing the fixture CA); scenarios then break one
thing each through ``zone``, ``sites`` and the certificate helpers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pulumi_mta_sts.check import CheckOptions
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, sts_record_name, sts_record_value, tlsrpt_record_name

from .dns_server import DnsFixture, Zone
from .https_server import HttpsFixture, Site
from .pki import CA_CAA_DOMAIN, Pki
from .smtp_server import NO_STARTTLS_ADDRESS, SmtpFixture

__all__ = ["CA_CAA_DOMAIN", "NO_STARTTLS_ADDRESS", "LiveFixture", "Published", "Site", "Zone", "live_fixture"]


@dataclass
class Published:
    domain: str
    policy: Policy
    mx_hosts: tuple[str, ...]
    site: Site

    @property
    def host(self) -> str:
        return policy_host(self.domain)


class LiveFixture:
    def __init__(self) -> None:
        self.pki = Pki()
        self.zone = Zone()
        default = self.pki.server_context("unknown.invalid")
        self.dns = DnsFixture(self.zone)
        self.https = HttpsFixture(default)
        self.smtp = SmtpFixture(default)

    @property
    def ipv6(self) -> bool:
        """Whether the HTTPS server also listens on ::1."""
        return self.https.ipv6

    # ------------------------------------------------------------------ access for the checker
    @property
    def nameserver(self) -> str:
        return self.dns.nameserver

    @property
    def cafile(self) -> str:
        return self.pki.cafile

    def cli_args(self, *, smtp: bool = True, timeout: float = 3.0) -> list[str]:
        """The ``mta-sts check`` options that point it at this fixture."""
        args = [
            "--nameserver",
            self.nameserver,
            "--cafile",
            self.cafile,
            "--https-port",
            str(self.https.port),
            "--timeout",
            str(timeout),
        ]
        args += ["--smtp-port", str(self.smtp.port)] if smtp else ["--no-smtp"]
        return args

    def check_options(self, **options: Any) -> CheckOptions:
        """The :class:`CheckOptions` that point ``check`` at this fixture (3 s timeout), and ``options``."""
        found = {"smtp_port": self.smtp.port, "timeout": 3.0, **options}
        return CheckOptions(nameservers=(self.nameserver,), cafile=self.cafile, https_port=self.https.port, **found)

    # ------------------------------------------------------------------ building scenarios
    def publish(
        self,
        domain: str,
        *,
        mode: str = "enforce",
        max_age: int = 604_800,
        mx_hosts: Sequence[str] | None = None,
        patterns: Sequence[str] | None = None,
        aaaa: bool | None = None,
        caa: bool = True,
        tlsrpt: bool = True,
        smtp_certs: bool = True,
    ) -> Published:
        """Publish a correct MTA-STS set-up for ``domain``: MX hosts (default ``mx1.``/``mx2.``
        below the domain), a policy whose patterns are the MX hosts (or ``patterns``), the
        policy served over HTTPS with a valid certificate, the ``_mta-sts`` and ``_smtp._tls``
        records, certificates for STARTTLS and CAA allowing the fixture CA. ``aaaa`` (default:
        when the machine has IPv6 loopback) publishes ``::1`` for the policy host."""
        mx = tuple(mx_hosts) if mx_hosts is not None else (f"mx1.{domain}", f"mx2.{domain}")
        policy = Policy.build(mode, list(patterns) if patterns is not None else list(mx), max_age)
        zone = self.zone
        for pref, host in enumerate(mx, start=1):
            zone.add(domain, "MX", (pref * 10, host))
            zone.add(host, "A", "127.0.0.1")
            if smtp_certs:
                self.smtp.certificate(host, self.pki.server_context(host))
        zone.add(domain, "A", "127.0.0.1")
        host = policy_host(domain)
        zone.add(host, "A", "127.0.0.1")
        if self.ipv6 if aaaa is None else aaaa:
            zone.add(host, "AAAA", "::1")
        zone.add(sts_record_name(domain), "TXT", sts_record_value(policy.id))
        if tlsrpt:
            zone.add(tlsrpt_record_name(domain), "TXT", f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}")
        if caa:
            zone.add(domain, "CAA", (0, "issue", CA_CAA_DOMAIN))
        site = Site(body=policy.render_bytes())
        self.https.serve(host, site, self.pki.server_context(host))
        return Published(domain, policy, mx, site)

    def certificate(self, host: str, *names: str, expired: bool = False, days_left: int | None = None) -> None:
        """Replace the HTTPS certificate of ``host`` (names default to ``host``)."""
        self.https.contexts[host] = self.pki.server_context(*(names or (host,)), expired=expired, days_left=days_left)

    def smtp_certificate(self, mx_host: str, *names: str, expired: bool = False, days_left: int | None = None) -> None:
        self.smtp.certificate(
            mx_host, self.pki.server_context(*(names or (mx_host,)), expired=expired, days_left=days_left)
        )

    def stop(self) -> None:
        for part in (self.dns, self.https, self.smtp):
            part.stop()
        self.pki.close()


@contextmanager
def live_fixture() -> Iterator[LiveFixture]:
    fixture = LiveFixture()
    try:
        yield fixture
    finally:
        fixture.stop()
