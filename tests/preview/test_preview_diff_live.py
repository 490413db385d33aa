"""``preview-diff --live-dns`` / ``--nameserver``: the domain's MX hosts as DNS answers today
(a loopback DNS server), so the coverage notes are checked instead of said to be unchecked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.preview.changes import mail_domain
from pulumi_mta_sts.preview.document import read_preview
from tests.livefixture import LiveFixture, live_fixture

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"


@pytest.fixture
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def notes(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    import json

    code = main(["preview-diff", str(DATA / "policy-edit.json"), "--format", "json", *args])
    out, err = capsys.readouterr()
    assert code == 0 and not err, err
    return {n["code"]: n["level"] for n in json.loads(out)["safety_notes"]}


@pytest.mark.parametrize(
    ("name", "domain"), [("policy-edit", "example.com"), ("retirement", "example.org"), ("no-dns-change", None)]
)
def test_the_mail_domain_comes_from_the_preview(name: str, domain: str | None) -> None:
    assert mail_domain(read_preview(DATA / f"{name}.json")) == domain


def test_live_mx_covered_by_the_new_policy(live: LiveFixture, capsys: pytest.CaptureFixture[str]) -> None:
    live.zone.add("example.com", "MX", (10, "mx1.example.com"))
    live.zone.add("example.com", "MX", (20, "mx2.example.com"))
    assert notes(capsys, "--nameserver", live.nameserver) == {"max-age-raised": "info"}
    assert live.zone.queries[("example.com", "MX")] >= 1


def test_a_live_mx_the_new_enforce_policy_misses_is_danger(
    live: LiveFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    live.zone.add("example.com", "MX", (10, "mx1.example.com"))
    live.zone.add("example.com", "MX", (30, "mx3.example.com"))
    assert notes(capsys, "--nameserver", live.nameserver)["enforce-uncovered-mx"] == "danger"


def test_dns_that_does_not_answer_leaves_the_coverage_unchecked(
    live: LiveFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    live.zone.blackhole("example.com")
    found = notes(capsys, "--nameserver", live.nameserver)
    assert "live-mx-unknown" in found and "enforce-uncovered-mx" not in found


def test_no_live_dns_in_the_environment_wins(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTA_STS_NO_LIVE_DNS", "1")
    live.zone.add("example.com", "MX", (10, "mx3.example.com"))
    assert "live-mx-unknown" in notes(capsys, "--live-dns", "--nameserver", live.nameserver)
    assert live.zone.queries[("example.com", "MX")] == 0


def test_mx_given_wins_over_live_dns(live: LiveFixture, capsys: pytest.CaptureFixture[str]) -> None:
    live.zone.add("example.com", "MX", (10, "mx3.example.com"))
    assert "enforce-uncovered-mx" not in notes(capsys, "--mx", "mx1.example.com", "--nameserver", live.nameserver)
    assert live.zone.queries[("example.com", "MX")] == 0


def test_a_bad_nameserver_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preview-diff", str(DATA / "policy-edit.json"), "--nameserver", "localhost"])
    out, err = capsys.readouterr()
    assert code == 2 and not out and err.startswith("mta-sts preview-diff: --nameserver")
