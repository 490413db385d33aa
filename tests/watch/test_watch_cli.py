"""``mta-sts watch`` end to end on loopback: the JSON document, exit codes 0/1/2, the state file
written atomically and read back, hostile state files refused in one line, ``--no-smtp`` with the
receiver's stored reports, ``--all``; text output shows strangers' text, never obeys it."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.check.model import DomainReport, failed
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.migrate_steps import Record
from pulumi_mta_sts.migrate.stack_mx import rewrite
from pulumi_mta_sts.watch import judge_round
from pulumi_mta_sts.watch.text import render_text
from tests.livefixture import LiveFixture, live_fixture
from tests.livefixture.silent_dns import closed_port

DOMAIN = "ok.watchcli.test"
OTHER = "other.watchcli.test"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        for domain in (DOMAIN, OTHER):
            fixture.publish(domain, mode="enforce", aaaa=False)
        yield fixture


def write_stack(folder: Path, name: str, domain: str, mx: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"Pulumi.{name}.yaml").write_text(
        "config:\n"
        f"  mta-sts:domain: {domain}\n"
        "  mta-sts:dns: {provider: route53}\n"
        f"  mta-sts:policy: {{mode: enforce, max_age: 604800, mx: [{', '.join(mx)}]}}\n"
        f"  mta-sts:reporting: {{rua: ['mailto:tlsrpt@{domain}']}}\n"
        "  mta-sts:watch: {testing_reminder_days: 10}\n"
    )


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    folder = tmp_path / "stacks"
    write_stack(folder, "ok", DOMAIN, [f"mx1.{DOMAIN}", f"mx2.{DOMAIN}"])
    write_stack(folder, "other", OTHER, [f"mx1.{OTHER}", f"mx2.{OTHER}"])
    return folder


def watch(live: LiveFixture, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["watch", *args, *live.cli_args(smtp="--no-smtp" not in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_shape_state_file_and_exit_codes(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], stacks: Path, tmp_path: Path
) -> None:
    state = tmp_path / "watch-state.json"
    flags = ["--stack", "ok", "--stacks-dir", str(stacks), "--state", str(state), "--format", "json"]
    code, out, err = watch(live, capsys, *flags)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"domains": [{"domain": DOMAIN, "problems": [], "recovered": []}]}
    assert json.loads(state.read_text())["version"] == 1
    live.zone.add(DOMAIN, "MX", (5, "mx0.elsewhere.test"))
    live.zone.add("mx0.elsewhere.test", "A", "127.0.0.1")
    live.smtp.certificate("mx0.elsewhere.test", live.pki.server_context("mx0.elsewhere.test"))
    try:
        code, out, _ = watch(live, capsys, *flags)
        (domain,) = json.loads(out)["domains"]
        assert code == 1 and domain["recovered"] == []
        (problem,) = domain["problems"]
        assert set(problem) == {"code", "severity", "new", "message", "fix"}
        assert (problem["code"], problem["severity"], problem["new"]) == (
            "mx-not-covered:mx0.elsewhere.test",
            "fail",
            True,
        )
        code, out, _ = watch(live, capsys, *flags)
        assert code == 1 and json.loads(out)["domains"][0]["problems"][0]["new"] is False
    finally:
        live.zone.remove(DOMAIN, "MX")
        for pref, host in ((10, f"mx1.{DOMAIN}"), (20, f"mx2.{DOMAIN}")):
            live.zone.add(DOMAIN, "MX", (pref, host))
    code, out, _ = watch(live, capsys, *flags)
    assert code == 0 and json.loads(out)["domains"][0]["recovered"][0]["code"] == "mx-not-covered:mx0.elsewhere.test"
    assert [p.name for p in state.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_all_stacks_and_text_output(live: LiveFixture, capsys: pytest.CaptureFixture[str], stacks: Path) -> None:
    code, out, err = watch(live, capsys, "--all", "--stacks-dir", str(stacks), "--no-smtp")
    assert (code, err) == (0, "")
    assert f"{DOMAIN}: no problems" in out and f"{OTHER}: no problems" in out and "0 failures, 0 warnings" in out


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"version": 7, "domains": {}}', "version"),
        (b"\xff\xfe\x00", "watch state file"),
        (
            b'{"version": 1, "domains": {"a": {"problems": {"x": {"severity": "warn", "level": 0, "message": "m", '
            b'"since": "tomorrow"}}}}}',
            "since",
        ),
    ],
)
def test_a_hostile_state_file_is_one_line_exit_2_and_left_alone(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, state: bytes, says: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(state)
    code, out, err = watch(live, capsys, DOMAIN, "--state", str(path))
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"mta-sts watch: --state: {path}: not a watch state file") and says in line
    assert "delete it to start afresh" in line
    assert path.read_bytes() == state


@pytest.mark.parametrize("kind", ["directory", "fifo", "missing folder"])
def test_a_state_path_that_is_no_file_is_named(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "state"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path = tmp_path / "no-such-folder" / "state.json"
    code, _, err = watch(live, capsys, DOMAIN, "--state", str(path), "--no-smtp")
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(f"mta-sts watch: --state: {path}")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "DOMAIN: is required"),
        (["--stack", "ok", "not-in.stack.test"], "not-in.stack.test is not a domain of the stack"),
        (["--stack", "nope"], "--stack: "),
        (["bad..domain"], "DOMAIN"),
        (["a.example", "--stacks-dir", "stacks"], "--stacks-dir: stacks is read only with --stack NAME or --all"),
    ],
)
def test_usage_errors_exit_2_in_one_line(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], stacks: Path, args: list[str], says: str
) -> None:
    code, out, err = watch(live, capsys, *args, *(["--stacks-dir", str(stacks)] if "--stack" in args else []))
    assert code == 2 and out == "" and says in err and len(err.splitlines()) >= 1
    assert all(line.startswith("mta-sts watch: ") for line in err.splitlines())


def test_a_bad_watch_key_in_the_stack_names_the_file_and_key(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "stacks"
    write_stack(folder, "bad", DOMAIN, [f"mx1.{DOMAIN}"])
    path = folder / "Pulumi.bad.yaml"
    path.write_text(path.read_text().replace("testing_reminder_days: 10", "schedule: 'rate(1 minute)'"))
    code, _, err = watch(live, capsys, "--stack", "bad", "--stacks-dir", str(folder))
    assert code == 2 and err.startswith("mta-sts watch: Pulumi.bad.yaml: mta-sts:watch.schedule: ")


def test_no_smtp_reads_the_receivers_stored_reports(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    report = {
        "organization_name": "Sender \x1b[31mInc",
        "report_id": "r1",
        "start": (now - dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "policies": [
            {
                "policy_type": "sts",
                "policy_domain": DOMAIN,
                "policy_strings": ["version: STSv1", "mode: enforce"],
                "mx_hosts": [f"mx1.{DOMAIN}"],
                "successful": 10,
                "failed": 3,
                "failure_details": [
                    {
                        "result_type": "certificate-expired",
                        "failed_session_count": 3,
                        "receiving_mx_hostname": f"mx1.{DOMAIN}",
                    }
                ],
            }
        ],
    }
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "r1.json").write_text(json.dumps(report))
    code, out, err = watch(live, capsys, DOMAIN, "--no-smtp", "--reports", str(folder))
    assert code == 1, err
    assert f"report-certificate-expired:mx1.{DOMAIN}" in out and "3 sessions" in out
    assert "\x1b" not in out and "⟨U+001B⟩" in out


def test_text_shows_what_strangers_wrote_and_obeys_none_of_it() -> None:
    hostile = "served \x1b[2J\u202e [bold]x[/bold] \r\nfake: line"
    report = DomainReport("a.example", [failed("policy-fetch", hostile, "fix \x07 it")])
    text = render_text(judge_round([report], {}, None, None, dt.datetime(2026, 12, 7, tzinfo=dt.UTC)))
    assert all(char.isprintable() for line in text.splitlines() for char in line)
    assert "⟨U+001B⟩[2J" in text and "⟨U+202E⟩" in text and "⟨U+0007⟩" in text and "[bold]" in text
    assert len(text.splitlines()) == 4  # head, problem, fix, totals: no line a stranger added


def test_dns_that_cannot_be_reached_is_exit_3_and_blames_no_domain(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["watch", DOMAIN, "--nameserver", f"127.0.0.1:{closed_port()}", "--no-smtp", "--timeout", "1"])
    captured = capsys.readouterr()
    assert code == 3 and captured.out == "" and len(captured.err.splitlines()) == 1


def test_a_migration_record_in_the_stack_file_says_when_narrowing_is_due(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The record ``mta-sts migrate`` keeps above ``mta-sts:policy`` (written here by migrate's own
    writer): waiting says nothing, due is one warning (exit 0) with the command, gone is a recovery."""
    domain = "moving.watchcli.test"
    new = (f"mx1.{domain}", f"mx2.{domain}")  # live DNS lists only the new hosts: the switch is done
    published = live.publish(domain, patterns=[*new, "*.old-mail.test"], aaaa=False)
    folder = tmp_path / "stacks"
    write_stack(folder, "moving", domain, [json.dumps(p) for p in (*new, "*.old-mail.test")])
    path, state = folder / "Pulumi.moving.yaml", tmp_path / "state.json"
    wide = path.read_text()
    flags = ["--stack", "moving", "--stacks-dir", str(folder), "--state", str(state), "--format", "json"]

    def with_record(seen_days_ago: int) -> str:
        seen = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=seen_days_ago)
        record = Record(new, 604_800, "before1", published.policy.id, seen, seen, 300, 3_600)
        return rewrite(wide, None, None, record)

    path.write_text(with_record(0))  # widened policy seen just now: the wait (a week and more) runs
    code, out, err = watch(live, capsys, *flags)
    assert (code, err) == (0, "") and json.loads(out)["domains"][0]["problems"] == []
    path.write_text(with_record(30))  # seen a month ago: narrowing is due
    code, out, _ = watch(live, capsys, *flags)
    (problem,) = json.loads(out)["domains"][0]["problems"]
    assert code == 0 and (problem["code"], problem["severity"], problem["new"]) == (
        "migration-narrow-due",
        "warn",
        True,
    )
    assert f"mta-sts migrate {domain} --to {' '.join(new)} --stack moving --narrow" in problem["fix"]
    path.write_text(wide)  # `migrate --narrow` removes the record
    code, out, _ = watch(live, capsys, *flags)
    (domain_json,) = json.loads(out)["domains"]
    assert code == 0 and domain_json["problems"] == []
    assert [r["code"] for r in domain_json["recovered"]] == ["migration-narrow-due"]


def test_each_fleet_domains_migration_record_is_read(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """In a fleet stack the record sits above its domain's ``mta-sts:domains`` item: the domain with a
    due record gets ``migration-narrow-due`` with its own command, the other domain nothing."""
    moving, steady = "fleetmoving.watchcli.test", "fleetsteady.watchcli.test"
    new = (f"mx1.{moving}", f"mx2.{moving}")
    published = live.publish(moving, patterns=[*new, "*.old-mail.test"], aaaa=False)
    live.publish(steady, mode="enforce", aaaa=False)
    items = "".join(
        f"    - domain: {d}\n      reporting: {{rua: ['mailto:tlsrpt@{d}']}}\n"
        f"      policy:\n        mx: [{', '.join(json.dumps(p) for p in mx)}]\n"
        for d, mx in ((steady, [f"mx1.{steady}", f"mx2.{steady}"]), (moving, [*new, "*.old-mail.test"]))
    )
    folder = tmp_path / "stacks"
    folder.mkdir()
    path = folder / "Pulumi.fleet.yaml"
    defaults = "    dns: {provider: route53}\n    policy: {mode: enforce, max_age: 604800}\n"
    text = f"config:\n  mta-sts:defaults:\n{defaults}  mta-sts:domains:\n{items}"
    seen = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=30)
    record = Record(new, 604_800, "before1", published.policy.id, seen, seen, 300, 3_600)
    path.write_text(rewrite(text, None, None, record, moving))
    flags = ["--stack", "fleet", "--stacks-dir", str(folder), "--format", "json"]
    code, out, err = watch(live, capsys, *flags, "--state", str(tmp_path / "state.json"))
    problems = {d["domain"]: [p["code"] for p in d["problems"]] for d in json.loads(out)["domains"]}
    assert (code, problems) == (0, {moving: ["migration-narrow-due"], steady: []}), err
    assert f"--to {' '.join(new)} --stack fleet --narrow" in out
