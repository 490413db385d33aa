"""SMTP servers (aiosmtpd) on loopback: one offering STARTTLS on 127.0.0.1, one without it on
127.0.0.2, both on the same port. The STARTTLS certificate is chosen by SNI (the MX name)."""

from __future__ import annotations

import logging
import socket
import ssl

from aiosmtpd.controller import Controller

# Clients that reject a certificate are part of the scenarios; aiosmtpd would log a traceback.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

#: MX hosts that resolve here get a server that does not offer STARTTLS.
NO_STARTTLS_ADDRESS = "127.0.0.2"


class _Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def _port_free_on(addresses: list[str]) -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port: int = probe.getsockname()[1]
        ok = True
        for address in addresses:
            with socket.socket() as other:
                try:
                    other.bind((address, port))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError("no free SMTP port")


class SmtpFixture:
    def __init__(self, default_context: ssl.SSLContext) -> None:
        self.contexts: dict[str, ssl.SSLContext] = {}
        contexts = self.contexts

        def choose(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
            sock.context = contexts.get((name or "").lower(), default_context)

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.sni_callback = choose  # type: ignore[assignment]
        self.port = _port_free_on(["127.0.0.1", NO_STARTTLS_ADDRESS])
        self.with_tls = Controller(
            _Sink(),
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="fixture-mx",
            tls_context=tls,
            require_starttls=False,
        )
        self.without_tls = Controller(
            _Sink(), hostname=NO_STARTTLS_ADDRESS, port=self.port, server_hostname="fixture-mx-plain"
        )
        self.with_tls.start()
        self.without_tls.start()

    def certificate(self, mx_host: str, context: ssl.SSLContext) -> None:
        self.contexts[mx_host.lower()] = context

    def stop(self) -> None:
        self.with_tls.stop()
        self.without_tls.stop()
