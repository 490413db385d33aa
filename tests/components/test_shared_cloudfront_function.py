"""The shared CloudFront Function under Node, the KeyValueStore stubbed as documented: hits,
misses, chunked large policies, HEAD, wrong path, unknown or odd Host headers; other methods are
refused by CloudFront before the function runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.txt_values import split_txt
from pulumi_mta_sts.hosting.cloudfront import cache_behaviour
from pulumi_mta_sts.hosting.edge_code import (
    CHUNK_PREFIX,
    CHUNK_SEPARATOR,
    KVS_VALUE_LIMIT,
    MAX_CHUNKS,
    NOT_FOUND,
    fleet_function_code,
    kvs_entries,
)
from tests.components.shared_node import needs_node, run_function
from tests.strategies import case_variants, hostname

#: CloudFront limits (Developer Guide, "Quotas"): a function's code, a store's key.
FUNCTION_CODE_LIMIT = 10 * 1024
KVS_KEY_LIMIT = 512

PATH = "/.well-known/mta-sts.txt"
SMALL = Policy.build("enforce", ["mx1.example.com", "*.mail.example.com"], 604800)
#: Well over 1 KB, with multi-byte characters that must not be split between chunks.
LARGE = Policy.build(
    "testing",
    [f"mx{i}.a-rather-long-mail-host-name.example.net" for i in range(60)],
    86401,
    {"note": "ünïcödé-€-𝄞" * 3},
)
HOSTS = {"mta-sts.example.com": SMALL, "mta-sts.big.example": LARGE}


def store_of(policies: dict[str, Policy]) -> dict[str, str]:
    return {k: v for host, policy in policies.items() for k, v in kvs_entries(host, policy.render())}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cloudfront-function")


def ask(workdir: Path, *requests: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    """The function's answers to ``requests`` with :data:`HOSTS` in the store."""
    return run_function(workdir, fleet_function_code(), store_of(HOSTS), requests)


def test_the_code_fits_cloudfront_functions_10_kb_limit() -> None:
    assert len(fleet_function_code().encode("utf-8")) < FUNCTION_CODE_LIMIT // 2


def test_small_policies_are_one_value_and_large_ones_chunks_within_the_limits() -> None:
    assert kvs_entries("mta-sts.example.com", SMALL.render()) == [("mta-sts.example.com", SMALL.render())]
    entries = kvs_entries("mta-sts.big.example", LARGE.render())
    assert len(LARGE.render_bytes()) > 2 * KVS_VALUE_LIMIT
    *chunks, (head_key, head) = entries
    assert head_key == "mta-sts.big.example" and head.startswith(CHUNK_PREFIX)
    assert "".join(v for _, v in chunks) == LARGE.render()
    assert all(len(v.encode()) <= KVS_VALUE_LIMIT and len(k.encode()) <= KVS_KEY_LIMIT for k, v in entries)
    other = Policy.build("testing", [*LARGE.mx, "mx.other.example"], 86401)
    assert {k for k, _ in kvs_entries("mta-sts.big.example", other.render())[:-1]}.isdisjoint(dict(chunks))


@needs_node
def test_hits_serve_exactly_the_stored_bytes_and_head_no_body(workdir: Path) -> None:
    get_small, head_small, get_large, head_large = ask(
        workdir,
        ("GET", PATH, "mta-sts.example.com"),
        ("HEAD", PATH, "mta-sts.example.com"),
        ("GET", PATH, "mta-sts.big.example"),
        ("HEAD", PATH, "mta-sts.big.example"),
    )
    for got, policy in ((get_small, SMALL), (get_large, LARGE)):
        assert got["status"] == 200 and got["body"] == policy.render_bytes() and got["encoding"] == "text"
        assert got["headers"]["content-type"] == "text/plain; charset=utf-8"
        assert "location" not in got["headers"]
    assert head_small["status"] == head_large["status"] == 200
    assert head_small["body"] is None and head_large["body"] is None
    assert get_small["reads"] == ["mta-sts.example.com"]
    assert len(get_large["reads"]) == 1 + len(kvs_entries("mta-sts.big.example", LARGE.render())) - 1


@needs_node
@pytest.mark.parametrize(
    ("method", "uri", "host", "status"),
    [
        ("GET", "/", "mta-sts.example.com", 404),
        ("GET", PATH + ".bak", "mta-sts.example.com", 404),
        ("GET", PATH.upper(), "mta-sts.example.com", 404),
        ("GET", "/errors/not-found.txt", "mta-sts.example.com", 404),
        ("GET", PATH, "mta-sts.unknown.example", 404),
        ("GET", PATH, None, 404),
        ("GET", PATH, "", 404),
        ("GET", PATH, "mta-sts.big.example~0", 404),
        ("GET", PATH, "mta-sts.big.example#0", 404),
        ("GET", PATH, "[2001:db8::1]:443", 404),
        ("GET", PATH, "mta-sts.example.com:notaport", 404),
        ("GET", PATH, "mta-sts.example.com..", 404),
    ],
)
def test_everything_else_is_a_404_without_echoing_the_host(
    workdir: Path, method: str, uri: str, host: str | None, status: int
) -> None:
    [got] = ask(workdir, (method, uri, host))
    assert got["status"] == status == 404 and "location" not in got["headers"]
    assert got["body"] == NOT_FOUND.encode()


def test_other_methods_never_reach_the_function_cloudfront_refuses_them_first() -> None:
    """The shared distributions (and the single-domain ones) allow GET and HEAD only: CloudFront answers
    another method 403 itself; the function is never asked (its 405 branch is a fallback, kept unchanged)."""
    behaviour = cache_behaviour("policy-id", "arn:aws:cloudfront::123456789012:function/f")
    assert behaviour.allowed_methods == ["GET", "HEAD"]


@needs_node
def test_the_kept_405_branch_still_says_what_is_allowed(workdir: Path) -> None:
    [got] = ask(workdir, ("POST", PATH, "mta-sts.example.com"))
    assert got["status"] == 405 and got["headers"]["allow"] == "GET, HEAD"


@needs_node
def test_a_missing_or_corrupt_chunk_is_a_404_never_a_partial_policy(workdir: Path) -> None:
    store = store_of(HOSTS)
    chunk_keys = [k for k in store if CHUNK_SEPARATOR in k]
    broken = {k: v for k, v in store.items() if k != chunk_keys[1]}
    results = run_function(
        workdir,
        fleet_function_code(),
        {
            **broken,
            "mta-sts.bad.example": f"{CHUNK_PREFIX}{MAX_CHUNKS + 1}:000000000000",
            "mta-sts.odd.example": f"{CHUNK_PREFIX}x",
        },
        [
            ("GET", PATH, "mta-sts.big.example"),
            ("GET", PATH, "mta-sts.bad.example"),
            ("GET", PATH, "mta-sts.odd.example"),
        ],
    )
    assert [r["status"] for r in results] == [404, 404, 404]
    assert results[1]["reads"] == ["mta-sts.bad.example"]  # no read beyond the bound


@st.composite
def host_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A host and one spelling of it a client may send: any case, maybe a port, maybe a dot."""
    host = "mta-sts." + draw(hostname)
    spelled = draw(case_variants(host))
    if draw(st.booleans()):
        spelled += "."
    if draw(st.booleans()):
        spelled += ":" + str(draw(st.integers(min_value=1, max_value=65535)))
    return host, spelled


@needs_node
@settings(max_examples=15, deadline=None)
@given(st.lists(host_spellings(), min_size=1, max_size=12, unique_by=lambda h: h[0]), st.data())
def test_generated_hosts_are_found_whatever_the_case_port_or_trailing_dot(
    tmp_path_factory: pytest.TempPathFactory, hosts: list[tuple[str, str]], data: st.DataObject
) -> None:
    policies = {host: data.draw(st.sampled_from([SMALL, LARGE])) for host, _ in hosts}
    unknown = "mta-sts.not-served.invalid"
    requests = [("GET", PATH, spelled) for _, spelled in hosts] + [("GET", PATH, unknown)]
    results = run_function(tmp_path_factory.mktemp("gen"), fleet_function_code(), store_of(policies), requests)
    for (host, _), got in zip(hosts, results, strict=False):
        assert got["status"] == 200 and got["body"] == policies[host].render_bytes()
    assert results[-1]["status"] == 404


@given(st.text(max_size=3000), st.integers(min_value=4, max_value=1024))
def test_splitting_never_breaks_a_character_and_joins_back(text: str, limit: int) -> None:
    pieces = split_txt(text, limit, "surrogatepass")
    assert "".join(pieces) == text
    assert all(len(p.encode("utf-8", "surrogatepass")) <= limit for p in pieces)
