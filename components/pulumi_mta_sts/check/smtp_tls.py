"""STARTTLS probe of one MX host, as a sending MTA under MTA-STS does it (RFC 8461 §4.2):
connect, EHLO, STARTTLS must be offered, the handshake must succeed with a certificate valid
for the MX host name (SNI = that name) and chained to a trusted CA."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from dataclasses import dataclass

from pulumi_mta_sts.net.tlsinfo import cert_info, describe_tls_error

from .model import CheckResult, failed, passed, warned

__all__ = ["EXPIRY_WARNING_DAYS", "probe_starttls"]

EXPIRY_WARNING_DAYS = 14
_HELO_NAME = "mta-sts-check.invalid"


@dataclass(frozen=True)
class _Target:
    """The MX host probed, the address and port connected to, and how results name them."""

    mx_host: str
    address: str
    port: int

    @property
    def check_id(self) -> str:
        return f"starttls:{self.mx_host}"

    @property
    def where(self) -> str:
        return f"{self.mx_host} ({self.address} port {self.port})"


class _PinnedSMTP(smtplib.SMTP):
    """SMTP to ``address`` while STARTTLS uses the MX host name for SNI and verification
    (smtplib passes the host given to ``connect`` as ``server_hostname``)."""

    def __init__(self, mx_host: str, address: str, timeout: float) -> None:
        self._address = address
        super().__init__(local_hostname=_HELO_NAME, timeout=timeout)
        self._host = mx_host  # what starttls() passes as server_hostname

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._address, port), timeout)


def probe_starttls(
    mx_host: str,
    address: str,
    *,
    port: int = 25,
    context: ssl.SSLContext,
    timeout: float,
    now: dt.datetime | None = None,
) -> CheckResult:
    """One ``starttls:<mx_host>`` result; ``timeout`` bounds each SMTP step."""
    target = _Target(mx_host, address, port)
    smtp = _PinnedSMTP(mx_host, address, timeout)
    try:
        problem = _negotiate_tls(smtp, target, context)
        if problem is not None:
            return problem
        sock = smtp.sock
        assert isinstance(sock, ssl.SSLSocket)
        return _certificate_result(target, sock, now)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _negotiate_tls(smtp: _PinnedSMTP, target: _Target, context: ssl.SSLContext) -> CheckResult | None:
    """Connect, EHLO and STARTTLS as a sender does; the failed result of the first step that
    fails, or ``None`` once the TLS handshake succeeded."""
    cid, where, mx_host = target.check_id, target.where, target.mx_host
    try:
        code, greeting = smtp.connect(mx_host, target.port)
    except (OSError, smtplib.SMTPException) as exc:
        return failed(cid, f"cannot connect to {where}: {_reason(exc)}", "check the MX host answers on port 25")
    if code != 220:
        text = greeting.decode("utf-8", "replace")
        return failed(cid, f"{where} greets with {code} {text}", "the mail server must greet with 220")
    try:
        smtp.ehlo()
    except (OSError, smtplib.SMTPException) as exc:
        return failed(cid, f"{where}: EHLO failed: {_reason(exc)}", "check the mail server accepts EHLO")
    if not smtp.has_extn("starttls"):
        return failed(
            cid,
            f"{where} does not offer STARTTLS",
            "enable STARTTLS with a certificate for the MX host name; MTA-STS senders will not deliver",
        )
    try:
        smtp.starttls(context=context)
    except ssl.SSLError as exc:
        return failed(
            cid,
            f"{where}: {describe_tls_error(exc)}",
            f"install a certificate for {mx_host} from a public CA, with its full chain",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return failed(cid, f"{where}: STARTTLS failed: {_reason(exc)}", "check the mail server's TLS set-up")
    return None


def _certificate_result(target: _Target, sock: ssl.SSLSocket, now: dt.datetime | None) -> CheckResult:
    """The verdict on the verified certificate: its expiry decides pass, warn or fail."""
    cid, where, mx_host = target.check_id, target.where, target.mx_host
    version = sock.version() or "TLS"
    cert = cert_info(sock.getpeercert())
    if cert is None:
        return failed(cid, f"{where}: no certificate presented", f"install a certificate for {mx_host}")
    days = cert.days_left(now)
    summary = f"{version}, certificate for {mx_host} from {cert.issuer}, expires {cert.not_after:%Y-%m-%d}"
    if days < 0:
        return failed(cid, f"{where}: {summary} — expired", f"renew the certificate of {mx_host}")
    if days < EXPIRY_WARNING_DAYS:
        return warned(
            cid,
            f"{where}: {summary} — expires in {days:.0f} days",
            f"renew the certificate of {mx_host} (less than {EXPIRY_WARNING_DAYS} days left)",
        )
    return passed(cid, f"{where}: {summary}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
