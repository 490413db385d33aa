"""The PolicyLive dynamic resource: its provider against a real HTTPS server, diff, serialisation."""

from __future__ import annotations

import base64
import functools
import ssl
from collections.abc import Iterator

import dill  # type: ignore[import-untyped]
import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.mtasts import policy_live as policy_live_resource
from pulumi_mta_sts.mtasts.policy_live import TYPE_TOKEN, PolicyLive, PolicyLiveProvider
from pulumi_mta_sts.net.served import PolicyNotServed, wait_until_served
from tests.livefixture.https_server import HttpsFixture, Site
from tests.livefixture.pki import Pki
from tests.pulumi_mock import serialize_provider

HOST = "mta-sts.example.com"
OLD = Policy.build("testing", ["mx1.example.com"], 86401)
NEW = Policy.build("enforce", ["mx1.example.com"], 604800)


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[HttpsFixture, Site, ssl.SSLContext]]:
    pki = Pki()
    server = HttpsFixture(pki.server_context("unknown.invalid"))
    served = Site(body=OLD.render_bytes())
    server.serve(HOST, served, pki.server_context(HOST))
    yield server, served, ssl.create_default_context(cafile=pki.cafile)
    server.stop()
    pki.close()


@pytest.fixture
def provider(
    site: tuple[HttpsFixture, Site, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[PolicyLiveProvider]:
    """The real provider; its fetches go to the loopback server, trusting the test CA."""
    server, _, ctx = site
    pinned = functools.partial(
        wait_until_served, ssl_context=ctx, connect_to=("127.0.0.1", server.port), sleep=lambda s: None
    )
    monkeypatch.setattr(policy_live_resource, "wait_until_served", pinned)
    yield PolicyLiveProvider()


def props(server: HttpsFixture, policy: Policy, timeout: int = 0) -> dict[str, object]:
    text = policy.render()
    return {
        "url": f"https://{HOST}:{server.port}/.well-known/mta-sts.txt",
        "policy_text": text,
        "policy_id": policy.id,
        "policy_sha": "x",
        "timeout": timeout,
    }


def test_create_succeeds_once_the_expected_bytes_are_served(
    site: tuple[HttpsFixture, Site, ssl.SSLContext], provider: PolicyLiveProvider
) -> None:
    server, served, _ = site
    served.body = OLD.render_bytes()
    result = provider.create(props(server, OLD))
    assert result.outs is not None and result.outs["served_id"] == OLD.id and result.outs["attempts"] == 1


def test_create_fails_clearly_while_the_old_body_is_served(
    site: tuple[HttpsFixture, Site, ssl.SSLContext], provider: PolicyLiveProvider
) -> None:
    server, served, _ = site
    served.body = OLD.render_bytes()
    with pytest.raises(PolicyNotServed) as caught:
        provider.create(props(server, NEW))
    assert f"(id {NEW.id})" in str(caught.value) and "keeps its old id" in str(caught.value)


def test_a_changed_policy_is_an_update_that_verifies_again(
    site: tuple[HttpsFixture, Site, ssl.SSLContext], provider: PolicyLiveProvider
) -> None:
    server, served, _ = site
    old, new = props(server, OLD), props(server, NEW)
    new["policy_sha"] = "y"
    diff = provider.diff("id", old, new)
    assert diff.changes is True and diff.replaces == []
    assert provider.diff("id", old, dict(old, timeout=999)).changes is False  # only content/URL matter
    served.body = OLD.render_bytes()
    with pytest.raises(PolicyNotServed):
        provider.update("id", old, new)
    served.body = NEW.render_bytes()
    outs = provider.update("id", old, new).outs
    assert outs is not None and outs["served_id"] == NEW.id


def test_the_provider_serialises_by_reference_and_is_not_a_secret() -> None:
    blob = serialize_provider(PolicyLiveProvider())
    assert len(blob) < 2000  # the class is imported where the provider runs, not pickled whole
    assert isinstance(dill.loads(base64.b64decode(blob)), PolicyLiveProvider)
    assert PolicyLiveProvider.serialize_as_secret_always is False


def test_type_token_and_inputs_under_the_mock_engine(pulumi_mocks: object) -> None:
    from pulumi_mta_sts.mtasts.policy_live import PolicyLiveArgs
    from tests.pulumi_mock import Recorder

    assert isinstance(pulumi_mocks, Recorder)
    pulumi_mocks.run(
        lambda: PolicyLive(
            "live", PolicyLiveArgs("https://mta-sts.example.com/.well-known/mta-sts.txt", NEW.render(), 30)
        )
    )
    live = pulumi_mocks.one(TYPE_TOKEN)
    assert live.inputs["policy_text"] == NEW.render() and live.inputs["policy_id"] == NEW.id
    assert live.inputs["timeout"] == 30


def test_the_default_timeout_is_the_toolkits_and_the_provider_waits_that_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pulumi_mta_sts.core.defaults import VERIFY_TIMEOUT
    from pulumi_mta_sts.mtasts.policy_live import PolicyLiveArgs
    from pulumi_mta_sts.net.served import WaitResult

    args = PolicyLiveArgs("https://mta-sts.example.com/.well-known/mta-sts.txt", NEW.render())
    assert args.timeout == VERIFY_TIMEOUT
    asked: list[float] = []

    def served_at_once(url: str, expected: bytes, *, timeout: float) -> WaitResult:
        asked.append(timeout)
        return WaitResult(served=True, url=url, expected=expected, elapsed=0.0)

    monkeypatch.setattr(policy_live_resource, "wait_until_served", served_at_once)
    props = {"url": args.url, "policy_text": args.policy_text, "timeout": args.timeout}
    outs = PolicyLiveProvider().create(props).outs
    assert outs is not None and outs["served_id"] == NEW.id and asked == [VERIFY_TIMEOUT]
