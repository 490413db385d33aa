"""The scheduled watcher's archive holds exactly the modules its handler imports (receiver/archive.py's
rule), the dnspython and idna it needs beside the runtime's boto3, and the stack's settings; unpacked,
it runs a round in an interpreter that has nothing else installed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from pulumi_mta_sts.receiver.watch_archive import STACK_FILE, WATCH, watch_files
from pulumi_mta_sts.watch_lambda.contract import WATCH_HANDLER

STACK = {
    "domain": "example.com",
    "dns": {"provider": "route53"},
    "policy": {"mode": "testing", "mx": ["mx.example.com"]},
}
#: Imports the handler and runs what a round runs without the network: the settings read as
#: ``watch --stack`` reads them, a round judged, the notice written, and a check session that finds
#: DNS unreachable (its lazy imports too).
EXERCISE = """
import datetime, json, sys, importlib
sys.path.insert(0, ROOT)
handler = importlib.import_module("pulumi_mta_sts.watch_lambda.handler")
from pulumi_mta_sts.watch import judge_round, expectations_of
from pulumi_mta_sts.config.stack import load_any_config
from pulumi_mta_sts.check.runner import CheckOptions, check_domains
from pulumi_mta_sts.watch_lambda import notify
import pulumi_mta_sts.receiver_lambda.listing, pulumi_mta_sts.reports.stored
stack = json.loads(handler.STACK_FILE.read_text())["settings"]
outcome = judge_round([], expectations_of(load_any_config(stack)), None, None, datetime.datetime(2026, 12, 7))
changes = notify.round_changes(outcome.as_json())
text = notify.message_text(changes, "w") + notify.subject_line(changes, "w")
try:
    check_domains(["example.com"], CheckOptions(nameservers=("127.0.0.1:9",), timeout=0.2))
except Exception as exc:
    unreachable = type(exc).__name__
ours = sorted(m for m in sys.modules if m.split(".")[0] == "pulumi_mta_sts")
tops = {m.split(".")[0] for m in sys.modules}
third = sorted(tops & {"pulumi", "yaml", "idna", "dns", "boto3", "rich"})
print(json.dumps({"ours": ours, "third_party": third, "unreachable": unreachable, "text": len(text)}))
"""


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def test_the_archive_holds_exactly_what_the_handler_runs_and_runs_alone(tmp_path: Path) -> None:
    zipfile.ZipFile(io.BytesIO(_zip(watch_files(STACK)))).extractall(tmp_path)
    script = f"ROOT = {str(tmp_path)!r}\n" + EXERCISE
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    listed = {"pulumi_mta_sts", "pulumi_mta_sts.core"} | {f"pulumi_mta_sts.{m}" for m in WATCH.modules}
    assert set(result["ours"]) == listed  # a missing module fails the import; an extra one is listed for nothing
    assert result["third_party"] == ["dns", "idna"]  # shipped in the archive: not yaml, rich, Pulumi
    assert result["unreachable"] == "DnsUnreachable" and result["text"] > 0


def test_the_archive_ships_the_settings_the_vendored_packages_and_their_licences() -> None:
    files = watch_files(STACK)
    assert json.loads(files[STACK_FILE]) == {"domains": [], "settings": STACK}
    assert json.loads(watch_files(STACK, ["example.com"])[STACK_FILE])["domains"] == ["example.com"]
    assert WATCH.handler == WATCH_HANDLER == "pulumi_mta_sts.watch_lambda.handler.handler"
    assert {"dns/resolver.py", "dns/rdtypes/ANY/MX.py", "idna/core.py"} <= set(files)
    assert any(name.startswith("THIRD_PARTY/dnspython/LICEN") for name in files)
    assert any(name.startswith("THIRD_PARTY/idna/LICEN") for name in files)
    assert watch_files(STACK) == files  # reproducible: unchanged settings, unchanged archive
    assert watch_files({**STACK, "domain": "example.org"})[STACK_FILE] != files[STACK_FILE]


def test_the_archive_is_far_below_lambdas_limits() -> None:
    assert len(_zip(watch_files(STACK))) < 5 * 1024 * 1024  # direct upload: 50 MB zipped
