"""STARTTLS probe of one MX host as a sender under MTA-STS does it (RFC 8461 §4.2), bounded whatever
the server does: ``timeout`` for the whole dialogue and replies in lines and bytes, so a trickled
greeting or an endless EHLO reply is a failed probe, not a hang."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from collections.abc import Callable
from typing import Final

from pulumi_mta_sts.net.deadline import Deadline, buffered_reader
from pulumi_mta_sts.net.tlsinfo import cert_info, describe_tls_error

from .model import CheckResult, failed, passed, warned

EXPIRY_WARNING_DAYS = 14
_HELO_NAME = "mta-sts-check.invalid"
#: The most lines one SMTP reply may have (a greeting or an EHLO reply has a few dozen at most).
MAX_REPLY_LINES: Final = 100
#: The longest SMTP reply line read, CRLF included (RFC 5321 allows 512; senders take a little more).
MAX_REPLY_LINE_BYTES: Final = 2048
Keep = Callable[[ssl.SSLSocket | ssl.SSLError], None]  # the TLS socket, or why the handshake failed


class ReplyTooLong(smtplib.SMTPException):
    """An SMTP reply with more lines, or longer lines, than a sender reads."""


class _PinnedSMTP(smtplib.SMTP):
    """SMTP to ``address`` while STARTTLS names the MX host (SNI, verification), every step by ``deadline``."""

    def __init__(self, mx_host: str, address: str, port: int, deadline: Deadline) -> None:
        self._address, self._deadline, self.connected = address, deadline, False
        self.mx_host, self.check_id, self.where = mx_host, f"starttls:{mx_host}", f"{mx_host} ({address} port {port})"
        super().__init__(local_hostname=_HELO_NAME, timeout=deadline.seconds)
        self._host = mx_host  # what starttls() passes as server_hostname

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self._address, port), self._deadline.remaining())
        self.connected = True
        return sock

    def putcmd(self, cmd: str, args: str = "") -> None:
        """Send a command (every command goes through here) within the time left."""
        if self.sock is not None:
            self._deadline.arm(self.sock)
        super().putcmd(cmd, args)

    def getreply(self) -> tuple[int, bytes]:
        """One reply, as :meth:`smtplib.SMTP.getreply` reads it, within the limits."""
        if self.file is None:
            if self.sock is None:
                raise smtplib.SMTPServerDisconnected("not connected")
            # The STARTTLS handshake reuses the time set on the socket by the last read here, so
            # it too ends by the deadline.
            self.file = buffered_reader(self.sock, self._deadline)
        lines: list[bytes] = []
        while True:
            line = self._reply_line(len(lines))
            lines.append(line[4:].strip(b" \t\r\n"))
            code = line[:3]
            numeric = code.isascii() and code.isdigit()
            if not numeric or line[3:4] != b"-":  # a reply ends at its last line, or at one without a code
                return int(code) if numeric else -1, b"\n".join(lines)

    def _reply_line(self, lines_read: int) -> bytes:
        """The next reply line; :class:`ReplyTooLong` past the limits; any failure closes the connection."""
        assert self.file is not None
        try:
            if lines_read >= MAX_REPLY_LINES:
                raise ReplyTooLong(f"a reply longer than {MAX_REPLY_LINES} lines")
            line: bytes = self.file.readline(MAX_REPLY_LINE_BYTES + 1)
            if len(line) > MAX_REPLY_LINE_BYTES:
                raise ReplyTooLong(f"a reply line longer than {MAX_REPLY_LINE_BYTES} bytes")
        except BaseException:
            self.close()
            raise
        if not line:
            self.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return line


def probe_starttls(
    mx_host: str,
    address: str,
    *,
    port: int = 25,
    context: ssl.SSLContext,
    timeout: float,
    now: dt.datetime | None = None,
    keep: Keep = lambda _sock: None,
) -> CheckResult:
    """One ``starttls:<mx_host>`` result; ``timeout`` bounds the whole SMTP dialogue; ``keep`` gets the TLS socket
    (or the handshake's error)."""
    smtp = _PinnedSMTP(mx_host, address, port, Deadline(timeout))
    try:
        return _negotiate_tls(smtp, port, context, keep) or _certificate_result(smtp, now, keep)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _negotiate_tls(smtp: _PinnedSMTP, port: int, context: ssl.SSLContext, keep: Keep) -> CheckResult | None:
    """Connect, EHLO and STARTTLS as a sender does; the first failed step's result, or ``None``."""
    cid, where, mx_host = smtp.check_id, smtp.where, smtp.mx_host
    try:
        code, greeting = smtp.connect(mx_host, port)
    except (OSError, smtplib.SMTPException) as exc:
        if smtp.connected:
            return failed(cid, f"{where}: no greeting: {_reason(exc, smtp)}", "the mail server must greet with 220")
        return failed(cid, f"cannot connect to {where}: {_reason(exc, smtp)}", "check the MX host answers on port 25")
    if code != 220:
        text = _shorten(greeting.decode("utf-8", "replace"))
        return failed(cid, f"{where} greets with {code} {text}", "the mail server must greet with 220")
    try:
        smtp.ehlo()
    except (OSError, smtplib.SMTPException) as exc:
        return failed(cid, f"{where}: EHLO failed: {_reason(exc, smtp)}", "check the mail server accepts EHLO")
    if not smtp.has_extn("starttls"):
        return failed(
            cid,
            f"{where} does not offer STARTTLS",
            "enable STARTTLS with a certificate for the MX host name; MTA-STS senders will not deliver",
        )
    try:
        smtp.starttls(context=context)
    except ssl.SSLError as exc:
        keep(exc)  # a certificate refused here may still be valid under DANE (check/dane.py)
        return failed(
            cid,
            f"{where}: {describe_tls_error(exc)}",
            f"install a certificate for {mx_host} from a public CA, with its full chain",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return failed(cid, f"{where}: STARTTLS failed: {_reason(exc, smtp)}", "check the mail server's TLS set-up")
    return None


def _certificate_result(smtp: _PinnedSMTP, now: dt.datetime | None, keep: Keep) -> CheckResult:
    """The verdict on the verified certificate: its expiry decides pass, warn or fail."""
    cid, where, mx_host, sock = smtp.check_id, smtp.where, smtp.mx_host, smtp.sock
    assert isinstance(sock, ssl.SSLSocket)
    keep(sock)  # before the verdict: the DANE rows match the certificate whatever its expiry
    version = sock.version() or "TLS"
    cert = cert_info(sock.getpeercert())
    if cert is None:
        return failed(cid, f"{where}: no certificate presented", f"install a certificate for {mx_host}")
    days = cert.days_left(now)
    summary = f"{version}, certificate for {mx_host} from {cert.issuer}, expires {cert.not_after:%Y-%m-%d}"
    if days < 0:
        return failed(cid, f"{where}: {summary} — expired", f"renew the certificate of {mx_host}", cert)
    if days < EXPIRY_WARNING_DAYS:
        renew = f"renew the certificate of {mx_host} (less than {EXPIRY_WARNING_DAYS} days left)"
        return warned(cid, f"{where}: {summary} — expires in {days:.0f} days", renew, cert)
    return passed(cid, f"{where}: {summary}", cert)


def _reason(exc: BaseException, smtp: smtplib.SMTP) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out (the whole dialogue may take {smtp.timeout:g}s)"
    return _shorten(str(exc) or type(exc).__name__)


def _shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters: a server's words are quoted, not its whole reply."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
