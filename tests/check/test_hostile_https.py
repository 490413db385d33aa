"""Hostile policy hosts: the fetch (``mta-sts check``'s and the deploy gate's) ends within its
timeout however the server paces or floods its answer, reads a bounded amount, and never
passes a body shorter than its ``Content-Length``.

Nothing here measures time (a loaded machine must not fail them): that the whole fetch, not
each read, is bounded shows in the verdict itself, since a server that trickles its answer faster
than any read times out would otherwise be read to the end and accepted. The hostile servers stop
on their own after ``MAX_LIFETIME`` seconds, so a checker that hangs fails these tests instead of
hanging them.
"""

from __future__ import annotations

import ssl
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import CheckOptions, Status, check_domain
from pulumi_mta_sts.core.acceptance import Accepted, FetchError, Refused, Rule
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.net.https_fetch import MAX_HEAD_BYTES, MAX_HEAD_LINES, FetchResult, fetch_policy, make_tls_context
from pulumi_mta_sts.net.served import wait_until_served
from tests.livefixture import live_fixture
from tests.livefixture.hostile import Behaviour, HostileServer, Peer, endless, http_response, serve_http, trickle
from tests.livefixture.pki import Pki

HOST = "mta-sts.hostile.test"
POLICY = Policy.build("enforce", ["mx1.hostile.test"], 604800).render_bytes()
TIMEOUT = 1.0
#: For the generated answers, whose verdict must not depend on how busy the machine is.
GENEROUS = 10.0
#: Far more than the fetch needs, far less than an unbounded read of the floods below.
MEMORY_BOUND = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    p = Pki()
    yield p
    p.close()


@pytest.fixture(scope="module")
def trust(pki: Pki) -> ssl.SSLContext:
    return make_tls_context(pki.cafile)


@pytest.fixture(scope="module")
def hostile(pki: Pki) -> Iterator[HostileServer]:
    """One TLS server for the module; each test sets its ``behaviour``."""
    with HostileServer(serve_http(endless(b"", b"")), pki.server_context(HOST)) as server:
        yield server


def fetch(server: HostileServer, trust: ssl.SSLContext, behaviour: Behaviour, timeout: float = TIMEOUT) -> FetchResult:
    server.behaviour = behaviour
    return fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust, timeout=timeout)


def peak_memory(run: Callable[[], FetchResult]) -> tuple[FetchResult, int]:
    """``run()`` and the peak of memory allocated while it ran (all threads)."""
    tracemalloc.start()
    try:
        got = run()
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------------ time: the whole fetch


def test_a_trickled_answer_is_a_timeout_of_the_whole_fetch(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    # One byte every 0.1 s: no single read waits anywhere near the timeout, the answer would take
    # about 20 s in all.
    got = fetch(hostile, trust, serve_http(trickle(http_response(POLICY), 0.1)))
    assert (got.status, got.error_kind, got.error) == (None, FetchError.TIMEOUT, "no answer within 1s")
    assert isinstance(got.verdict, Refused) and got.verdict.rule is Rule.ANSWER


def test_a_trickled_body_after_quick_headers_is_a_timeout(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    response = http_response(POLICY)
    head = response[: response.index(b"\r\n\r\n") + 4]

    def answer(peer: Peer) -> None:
        peer.send(head)
        trickle(POLICY, 0.1)(peer)

    assert fetch(hostile, trust, serve_http(answer)).error_kind is FetchError.TIMEOUT


def test_slow_endless_100_continue_is_a_timeout(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    # Paced so that the head limit is not what stops it within the timeout.
    assert fetch(hostile, trust, serve_http(trickle(b"HTTP/1.1 100 Continue\r\n\r\n" * 1000, 0.05, 26))).error_kind is (
        FetchError.TIMEOUT
    )


def test_a_stalled_tls_handshake_is_a_timeout(pki: Pki, trust: ssl.SSLContext) -> None:
    def silent(peer: Peer) -> None:
        while True:
            peer.pace(0.1)

    with HostileServer(silent) as plain_tcp:  # accepts TCP, never answers the ClientHello
        got = fetch(plain_tcp, trust, silent)
    assert got.error_kind is FetchError.TIMEOUT


# ------------------------------------------------------------------------ size: what is read


@pytest.mark.parametrize(
    "flood",
    [
        pytest.param(endless(b"HTTP/1.1 200 OK\r\n", b"X-Pad: aaaaaaaaaaaaaaaa\r\n"), id="endless-headers"),
        pytest.param(endless(b"", b"HTTP/1.1 100 Continue\r\n\r\n"), id="endless-100-continue"),
        pytest.param(endless(b"HTTP/1.1 200 OK\r\nX-Pad: ", b"a" * 1024), id="endless-header-line"),
        pytest.param(endless(b"HTTP/1.1 200 OK\r\n", b"X-Pad: " + b"a" * 60000 + b"\r\n"), id="huge-header-lines"),
    ],
)
def test_a_flood_of_response_head_is_refused_with_bounded_memory(
    hostile: HostileServer, trust: ssl.SSLContext, flood: Behaviour
) -> None:
    got, peak = peak_memory(lambda: fetch(hostile, trust, serve_http(flood)))
    assert got.status is None and got.error_kind is FetchError.HTTP, got
    assert got.error is not None and got.error.startswith("invalid HTTP answer")
    assert peak < MEMORY_BOUND


def test_the_head_limit_is_named(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    got = fetch(hostile, trust, serve_http(endless(b"", b"HTTP/1.1 100 Continue\r\n\r\n")))
    assert got.error == (
        f"invalid HTTP answer: the response head is longer than {MAX_HEAD_BYTES // 1024} KiB or {MAX_HEAD_LINES} lines"
    )


def test_a_few_interim_responses_before_the_policy_are_fine(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    def answer(peer: Peer) -> None:
        peer.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 3 + http_response(POLICY))

    assert fetch(hostile, trust, serve_http(answer)).verdict == Accepted(POLICY, POLICY.decode())


# ------------------------------------------------------------------------ truth: a short body


@pytest.mark.parametrize("missing", [1, 50, 1000])
def test_a_body_shorter_than_its_content_length_is_a_failed_fetch(
    hostile: HostileServer, trust: ssl.SSLContext, missing: int
) -> None:
    # The whole, valid policy arrives, but the server announced more and then closed: the
    # answer is cut short, and a sender does not cache a truncated answer.
    def answer(peer: Peer) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(POLICY) + missing}\r\n\r\n"
        peer.send(head.encode() + POLICY)

    got = fetch(hostile, trust, serve_http(answer))
    assert got.status is None and got.error_kind is FetchError.HTTP
    assert got.error == (
        f"invalid HTTP answer: the body ended after {len(POLICY)} bytes of the {len(POLICY) + missing} "
        "its Content-Length announced"
    )
    assert isinstance(got.verdict, Refused)


def test_a_truncated_chunked_body_is_a_failed_fetch(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    def answer(peer: Peer) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        peer.send(head + f"{len(POLICY):x}\r\n".encode() + POLICY + b"\r\n")  # no last chunk

    got = fetch(hostile, trust, serve_http(answer))
    assert got.error_kind is FetchError.HTTP and isinstance(got.verdict, Refused)


# ------------------------------------------------------------------------ generated answers


@st.composite
def answers(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A response (interim answers, headers, a framing, maybe cut short) and whether a sender
    accepts it: the head within the limits and http.client's 100 lines, the body complete."""
    interim = draw(st.integers(0, 4))
    fields = draw(st.integers(0, 130))
    width = draw(st.sampled_from([1, 100, 700, 3000]))
    framing = draw(st.sampled_from(["length", "chunked", "close", "length-short", "chunked-short"]))
    body = POLICY
    head = ["HTTP/1.1 200 OK", "Content-Type: text/plain", *(f"X-F{i}: {'v' * width}" for i in range(fields))]
    if framing.startswith("length"):
        head.append(f"Content-Length: {len(body) + (7 if framing == 'length-short' else 0)}")
        payload = body
    elif framing.startswith("chunked"):
        head.append("Transfer-Encoding: chunked")
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n" + (b"" if framing == "chunked-short" else b"0\r\n\r\n")
    else:
        head.append("Connection: close")
        payload = body
    final = ("\r\n".join(head) + "\r\n\r\n").encode()
    prefix = b"HTTP/1.1 100 Continue\r\n\r\n" * interim
    head_bytes = len(prefix) + len(final)
    head_lines = 2 * interim + len(head) + 1
    # http.client reads at most 100 lines of a head, the empty line ending it included: 99 fields
    fields_within = len(head) - 1 < 100
    within = head_bytes <= MAX_HEAD_BYTES and head_lines <= MAX_HEAD_LINES and fields_within
    return prefix + final + payload, within and not framing.endswith("short")


@pytest.mark.parametrize(("fields", "accepted"), [(99, True), (100, False)])
def test_the_header_count_limit_is_http_clients_100_lines(
    hostile: HostileServer, trust: ssl.SSLContext, fields: int, accepted: bool
) -> None:
    # The boundary the generated answers' oracle models, pinned: the empty line ends the head and counts.
    extra = "".join(f"X-F{i}: v\r\n" for i in range(fields - 2))
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{extra}Content-Length: {len(POLICY)}\r\n\r\n"
    got = fetch(hostile, trust, serve_http(lambda peer: peer.send(head.encode() + POLICY)), timeout=GENEROUS)
    assert isinstance(got.verdict, Accepted) is accepted, got.error
    assert accepted or "more than 100 headers" in str(got.error)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=answers(), step=st.sampled_from([1 << 20, 4096, 97]))
def test_every_generated_answer_ends_in_time_and_passes_only_when_complete(
    hostile: HostileServer, trust: ssl.SSLContext, answer: tuple[bytes, bool], step: int
) -> None:
    data, accepted = answer

    def send(peer: Peer) -> None:
        for start in range(0, len(data), step):
            peer.send(data[start : start + step])

    got = fetch(hostile, trust, serve_http(send), timeout=GENEROUS)  # what is read decides here, not time
    assert isinstance(got.verdict, Accepted) is accepted, (got.error, accepted)
    if accepted:
        assert got.body == POLICY


# ------------------------------------------------------------------------ the deploy gate and the checker


def test_the_deploy_gate_ends_on_a_trickling_host(hostile: HostileServer, trust: ssl.SSLContext) -> None:
    hostile.behaviour = serve_http(trickle(http_response(POLICY), 0.1))
    result = wait_until_served(
        f"https://{HOST}/.well-known/mta-sts.txt",
        POLICY,
        timeout=2 * TIMEOUT,
        initial_delay=0.1,
        request_timeout=TIMEOUT,
        ssl_context=trust,
        connect_to=("127.0.0.1", hostile.port),
    )
    # Ended by the gate: every attempt was cut by its own time limit (read to the end, the
    # trickled policy would have been served).
    assert not result.served and result.attempts
    assert all(a.error_kind is FetchError.TIMEOUT for a in result.attempts)


@pytest.mark.parametrize(
    ("behaviour", "ended_by"),
    [
        pytest.param(serve_http(trickle(http_response(POLICY), 0.1)), "no answer within 1s", id="trickle"),
        pytest.param(
            serve_http(endless(b"", b"HTTP/1.1 100 Continue\r\n\r\n")),
            "longer than 64 KiB or 256 lines",
            id="endless-100-continue",
        ),
    ],
)
def test_the_checker_fails_the_fetch_of_a_hostile_host_in_time(behaviour: Behaviour, ended_by: str) -> None:
    with live_fixture() as live:
        domain = "hostile.test"
        live.publish(domain, aaaa=False)
        with HostileServer(behaviour, live.pki.server_context(HOST)) as server:
            options = CheckOptions(
                nameservers=(live.nameserver,),
                cafile=live.cafile,
                https_port=server.port,
                smtp=False,
                timeout=TIMEOUT,
            )
            report = check_domain(domain, options)
    fetched = report.get("policy-fetch")
    assert fetched is not None and fetched.status is Status.FAIL, fetched
    assert ended_by in fetched.detail, fetched.detail  # the whole fetch's time limit, or the head's size limit
    assert not report.ok
