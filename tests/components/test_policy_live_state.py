"""A ``PolicyLive`` deployed by an earlier version still updates and deletes.

Pulumi keeps a dynamic resource's provider in the state (``__provider``: base64 of the provider
pickled by dill, by module path and class name) and, to diff, update or delete the resource later,
loads it from there as ``pulumi/dynamic/__main__.py``'s ``get_provider`` does (Pulumi 3.272):
``dill.loads(base64.b64decode(props["__provider"]))``. ``data/policy_live_state.json`` is the state
a stack deployed with main at 8b95414 holds: ``PolicyLive``'s inputs as it registered them, its
provider serialised by ``tests.pulumi_mock.serialize_provider`` and the outputs of a real create against a
loopback HTTPS server. Whatever moves in the package, that provider must still load and work.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from pulumi.dynamic import ResourceProvider

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.mtasts import policy_live
from pulumi_mta_sts.net.served import PolicyNotServed, wait_until_served
from tests.livefixture.https_server import HttpsFixture, Site
from tests.livefixture.pki import Pki
from tests.pulumi_mock import serialize_provider

STATE: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "policy_live_state.json").read_text())
HOST = "mta-sts.example.com"
OLD = Policy.build("testing", ["mx1.example.com"], 86401)
NEW = Policy.build("enforce", ["mx1.example.com"], 604800)


def provider_of(props: dict[str, Any]) -> ResourceProvider:
    """The provider as the dynamic provider host loads it from a resource's properties."""
    provider: ResourceProvider = dill.loads(base64.b64decode(props["__provider"]))
    return provider


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The policy URL of the state, answered by a loopback HTTPS server trusted for this test."""
    pki = Pki()
    server = HttpsFixture(pki.server_context("unknown.invalid"))
    site = Site(body=OLD.render_bytes())
    server.serve(HOST, site, pki.server_context(HOST))
    context = ssl.create_default_context(cafile=pki.cafile)
    pinned = functools.partial(
        wait_until_served, ssl_context=context, connect_to=("127.0.0.1", server.port), sleep=lambda s: None
    )
    monkeypatch.setattr(policy_live, "wait_until_served", pinned)
    yield site
    server.stop()
    pki.close()


def news_for(policy: Policy) -> dict[str, Any]:
    """The inputs today's code registers for ``policy`` at the state's URL (its provider included);
    no time to wait (the fetch is tried once): the loopback server answers at once."""
    text = policy.render()
    sha = hashlib.sha256(text.encode()).hexdigest()
    provider = serialize_provider(policy_live.PolicyLiveProvider())
    changed = {"policy_text": text, "policy_id": policy.id, "policy_sha": sha, "timeout": 0}
    return {**STATE["inputs"], **changed, "__provider": provider}


def test_the_saved_state_is_a_policy_live_of_this_type_token() -> None:
    assert STATE["type"] == policy_live.TYPE_TOKEN == "pulumi-python:dynamic/mtasts:PolicyLive"
    assert STATE["outputs"]["served_id"] == OLD.id and STATE["inputs"]["policy_text"] == OLD.render()


def test_the_saved_provider_loads_as_todays_provider() -> None:
    saved = provider_of(STATE["outputs"])
    assert type(saved) is policy_live.PolicyLiveProvider
    assert type(provider_of(news_for(NEW))) is policy_live.PolicyLiveProvider


def test_the_saved_provider_diffs_and_updates_to_a_new_policy(served: Site) -> None:
    olds, news = STATE["outputs"], news_for(NEW)
    for provider in (provider_of(olds), provider_of(news)):  # the host loads news' unless it is unknown
        diff = provider.diff(STATE["id"], olds, news)
        assert diff.changes is True and diff.replaces == []
        assert provider.diff(STATE["id"], olds, news_for(OLD)).changes is False
    with pytest.raises(PolicyNotServed):  # the old body still served: the new id must wait
        provider_of(olds).update(STATE["id"], olds, news)
    served.body = NEW.render_bytes()
    outs = provider_of(olds).update(STATE["id"], olds, news).outs
    assert outs is not None and outs["served_id"] == NEW.id and outs["attempts"] == 1


def test_the_saved_provider_deletes(served: Site) -> None:
    """``pulumi destroy`` (or removing the domain) loads the provider from the saved state only."""
    provider_of(STATE["outputs"]).delete(STATE["id"], STATE["outputs"])  # it only observed: nothing to undo
    assert served.body == OLD.render_bytes()
