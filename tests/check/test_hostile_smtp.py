"""Hostile MX hosts: the STARTTLS probe ends within its timeout (the whole dialogue, not each
read) and reads a bounded reply, however the server paces or floods its greeting and EHLO.

Nothing here measures time (a loaded machine must not fail them): that the whole dialogue, not
each read, is bounded shows in the result itself (a reply trickled faster than any read times out
would otherwise be read to the end), and the detail says which limit ended it. Memory is bounded
with tracemalloc (an endless EHLO continuation grew the process to gigabytes before).
"""

from __future__ import annotations

import ssl
import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import CheckOptions, CheckResult, Status, check_domain
from pulumi_mta_sts.check.smtp_tls import MAX_REPLY_LINE_BYTES, MAX_REPLY_LINES, probe_starttls
from pulumi_mta_sts.net.https_fetch import make_tls_context
from tests.livefixture import live_fixture
from tests.livefixture.hostile import Behaviour, HostileServer, Peer, endless, smtp_dialogue, trickle
from tests.livefixture.pki import Pki

MX = "mx1.hostile-smtp.test"
TIMEOUT = 1.0
MEMORY_BOUND = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def trust() -> Iterator[ssl.SSLContext]:
    pki = Pki()
    yield make_tls_context(pki.cafile)
    pki.close()


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer(smtp_dialogue(endless(b"", b""))) as server:
        yield server


def probe(
    server: HostileServer, trust: ssl.SSLContext, behaviour: Behaviour, timeout: float = TIMEOUT
) -> tuple[CheckResult, int]:
    """The probe's result and the peak memory allocated while it ran."""
    server.behaviour = behaviour
    tracemalloc.start()
    try:
        result = probe_starttls(MX, "127.0.0.1", port=server.port, context=trust, timeout=timeout)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.id == f"starttls:{MX}"
    return result, peak


def greet(peer: Peer) -> None:
    peer.send(b"220 hostile-smtp.test ESMTP\r\n")


def test_a_trickled_greeting_times_out_the_whole_dialogue(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    result, _ = probe(hostile, trust, smtp_dialogue(trickle(b"220 hostile-smtp.test ESMTP ready\r\n", 0.1)))
    assert result.status is Status.FAIL
    assert "no greeting: timed out (the whole dialogue may take 1s)" in result.detail


def test_a_trickled_ehlo_reply_times_out(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    reply = b"".join(b"250-EXT%d\r\n" % i for i in range(20)) + b"250 STARTTLS\r\n"
    result, _ = probe(hostile, trust, smtp_dialogue(greet, trickle(reply, 0.1, 3)))
    assert result.status is Status.FAIL and "EHLO failed: timed out" in result.detail


@pytest.mark.parametrize(
    ("behaviour", "step", "limit"),
    [
        pytest.param(smtp_dialogue(endless(b"", b"220-still greeting\r\n")), "no greeting", "lines", id="greeting"),
        pytest.param(smtp_dialogue(greet, endless(b"", b"250-PIPELINING\r\n")), "EHLO failed", "lines", id="ehlo"),
        pytest.param(smtp_dialogue(endless(b"220 ", b"a" * 1024)), "no greeting", "bytes", id="greeting-line"),
        pytest.param(smtp_dialogue(greet, endless(b"250-", b"b" * 1024)), "EHLO failed", "bytes", id="ehlo-line"),
    ],
)
def test_an_endless_reply_is_cut_at_the_limit_with_bounded_memory(
    hostile: HostileServer, trust: ssl.SSLContext, behaviour: Behaviour, step: str, limit: str
) -> None:
    result, peak = probe(hostile, trust, behaviour)
    assert result.status is Status.FAIL
    bound = f"{MAX_REPLY_LINES} lines" if limit == "lines" else f"{MAX_REPLY_LINE_BYTES} bytes"
    assert f"{step}: a reply" in result.detail and bound in result.detail, result.detail
    assert peak < MEMORY_BOUND


def test_a_handshake_that_never_comes_times_out(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    def ehlo_then_stall(peer: Peer) -> None:
        peer.send(b"250-hostile-smtp.test\r\n250 STARTTLS\r\n")
        peer.readline()  # STARTTLS
        peer.send(b"220 go ahead\r\n")
        while True:  # never answers the ClientHello
            peer.pace(0.1)

    result, _ = probe(hostile, trust, smtp_dialogue(greet, ehlo_then_stall))
    assert result.status is Status.FAIL, result
    assert "STARTTLS failed: timed out" in result.detail, result.detail


@st.composite
def dialogues(draw: st.DrawFn) -> tuple[Behaviour, bool]:
    """A greeting and an EHLO reply of generated length and width (no STARTTLS), and whether
    they stay within the limits (then the probe says STARTTLS is missing)."""
    greeting_lines = draw(st.integers(1, 130))
    ehlo_lines = draw(st.integers(1, 130))
    width = draw(st.sampled_from([1, 200, MAX_REPLY_LINE_BYTES - 6, MAX_REPLY_LINE_BYTES - 5, 5000]))
    text = b"x" * width

    def reply(code: bytes, count: int) -> bytes:
        return b"".join(code + (b"-" if i < count - 1 else b" ") + text + b"\r\n" for i in range(count))

    greeting, ehlo = reply(b"220", greeting_lines), reply(b"250", ehlo_lines)

    def send_greeting(peer: Peer) -> None:
        peer.send(greeting)

    def send_ehlo(peer: Peer) -> None:
        peer.send(ehlo)

    within = max(greeting_lines, ehlo_lines) <= MAX_REPLY_LINES and 4 + width + 2 <= MAX_REPLY_LINE_BYTES
    return smtp_dialogue(send_greeting, send_ehlo), within


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dialogue=dialogues())
def test_every_generated_dialogue_ends_and_is_read_within_the_limits(
    hostile: HostileServer, trust: ssl.SSLContext, dialogue: tuple[Behaviour, bool]
) -> None:
    behaviour, within = dialogue
    result, peak = probe(hostile, trust, behaviour, timeout=10.0)  # what is read decides here, not time
    assert result.status is Status.FAIL
    assert ("does not offer STARTTLS" in result.detail) is within, result.detail
    assert ("a reply" in result.detail) is (not within), result.detail
    assert peak < MEMORY_BOUND


def test_the_checker_fails_a_hostile_mx_in_time() -> None:
    with live_fixture() as live:
        live.publish("hostile-smtp.test", aaaa=False)
        with HostileServer(smtp_dialogue(greet, endless(b"", b"250-PIPELINING\r\n"))) as server:
            options = CheckOptions(
                nameservers=(live.nameserver,),
                cafile=live.cafile,
                https_port=live.https.port,
                smtp_port=server.port,
                timeout=TIMEOUT,
            )
            report = check_domain("hostile-smtp.test", options)
    for mx in ("mx1.hostile-smtp.test", "mx2.hostile-smtp.test"):
        found = report.get(f"starttls:{mx}")
        assert found is not None and found.status is Status.FAIL and "EHLO failed" in found.detail
    assert report.get("policy-fetch") is not None
