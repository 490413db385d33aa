"""``mta-sts plan`` of stacks with ``mta-sts:watch.enabled``: the example stacks copied with the watcher
turned on get one ``ScheduledWatch`` (with the receiver's bucket and topic, or its own), everything else
as before; a wrong ``mta-sts:watch`` value stops the plan with one line naming the key, before anything
is registered. The example stacks without ``watch`` keep their golden plans (test_golden.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.receiver.watch_archive import watch_files

ROOT = Path(__file__).resolve().parents[2]
WATCH_TYPES = {
    "mta-sts:index:ScheduledWatch",
    "aws:lambda/function:Function",
    "aws:scheduler/schedule:Schedule",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
}


def stacks_with(tmp_path: Path, stack: str, watch: Any) -> Path:
    """The project with ``stack``'s file given ``mta-sts:watch: watch``."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    folder = tmp_path / "stacks"
    folder.mkdir()
    shutil.copy(ROOT / "stacks" / "__main__.py", folder / "__main__.py")
    document = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    document["config"]["mta-sts:watch"] = watch
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return folder


def plan(folder: Path, stack: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any] | str]:
    code = main(["plan", "--stack", stack, "--stacks-dir", str(folder), "--no-live-dns", "--format", "json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else captured.err)


def watched(result: dict[str, Any]) -> list[dict[str, Any]]:
    component = next(r for r in result["resources"] if r["type"] == "mta-sts:index:ScheduledWatch")
    return [r for r in result["resources"] if r["name"].startswith(component["name"])]


def test_a_receiver_stack_watches_with_the_receivers_bucket_and_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = plan(ROOT / "stacks", "example-net", capsys)[1]
    code, after = plan(stacks_with(tmp_path, "example-net", {"enabled": True}), "example-net", capsys)
    assert code == 0 and isinstance(after, dict) and isinstance(before, dict)
    ours = watched(after)
    assert {r["type"] for r in ours} == WATCH_TYPES  # no bucket, no topic of its own
    names_before = {(r["name"], r["type"]) for r in before["resources"]}
    assert names_before <= {(r["name"], r["type"]) for r in after["resources"]}  # nothing else changes
    assert len(after["resources"]) == len(before["resources"]) + len(ours)
    function = next(r for r in ours if r["type"] == "aws:lambda/function:Function")
    shipped = len(watch_files({"domain": "example.net"}))  # the settings are one file, whatever they hold
    assert function["inputs"]["code"].startswith(f"(archive: {shipped} files, sha256 ")
    schedule = next(r for r in ours if r["type"] == "aws:scheduler/schedule:Schedule")
    assert schedule["inputs"]["scheduleExpression"] == "rate(1 hour)"
    assert set(after["outputs"]) - set(before["outputs"]) == {"watch"}


def test_a_fleet_watches_every_domain_with_a_bucket_and_topic_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = stacks_with(tmp_path, "example-fleet", {"enabled": "true", "schedule": "cron(0 6 ? * MON-FRI *)"})
    code, result = plan(folder, "example-fleet", capsys)
    assert code == 0 and isinstance(result, dict)
    types = {r["type"] for r in watched(result)}
    assert {"aws:s3/bucket:Bucket", "aws:sns/topic:Topic", "aws:s3/bucketPolicy:BucketPolicy"} <= types
    function = next(r for r in watched(result) if r["type"] == "aws:lambda/function:Function")
    variables = function["inputs"]["environment"]["variables"]
    assert set(variables) == {"WATCH_BUCKET", "WATCH_TOPIC_ARN", "WATCH_NAME"}  # the domains: in the archive


@pytest.mark.parametrize(
    ("watch", "key"),
    [
        ({"enabled": True, "schedule": "cron(0 25 * * ? *)"}, "mta-sts:watch.schedule"),
        ({"enabled": True, "schedule": "rate(5 minutes)"}, "mta-sts:watch.schedule"),
        ({"enabled": "yes please"}, "mta-sts:watch.enabled"),
        ({"enabled": True, "alarm_email": "nobody"}, "mta-sts:watch.alarm_email"),
    ],
)
def test_a_wrong_watch_setting_stops_the_plan_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], watch: dict[str, Any], key: str
) -> None:
    code, err = plan(stacks_with(tmp_path, "example-com", watch), "example-com", capsys)
    assert code == 2 and isinstance(err, str)
    assert key in err and "Traceback" not in err


def test_watch_disabled_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = plan(ROOT / "stacks", "example-com", capsys)[1]
    after = plan(stacks_with(tmp_path, "example-com", {"enabled": False}), "example-com", capsys)[1]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert sorted(map(json.dumps, after["resources"])) == sorted(map(json.dumps, before["resources"]))
    assert after["outputs"] == before["outputs"]
