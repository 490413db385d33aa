"""The plan engine imports ``pulumi_cloudflare`` deferred (``plan/engine.py``'s ``defer_star_imports``): its
``__init__`` runs when a name of it is first asked for, without its 781 star imports, and each name is read from
its own submodule. Everything here is compared with the package imported whole, as ``pulumi up`` imports it, each
side in a fresh interpreter (a package is imported once per process): every name is the very object the whole
``__init__`` binds, the same resource modules are registered (once), user programs that import the package
themselves work, and generated fleets record exactly the same resources either way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.plan.test_engine_steps import fleets

ROOT = Path(__file__).resolve().parents[2]

_NAMES = """
import json, sys
from pulumi.runtime import rpc
if sys.argv[1] == "deferred":
    from pulumi_mta_sts.plan.engine import defer_star_imports
    defer_star_imports("pulumi_cloudflare")
import pulumi_cloudflare as cf
found = {"first": sorted(vars(cf))}
if sys.argv[1] == "deferred":
    cf._utilities  # the first name asked for runs the rest of the __init__
    resolve = vars(cf)["__getattr__"]
    found["resolved"] = sorted(vars(cf))
    names = json.loads(sys.stdin.read())
    # each name as the engine reads it first (from its own submodule when it can), against the whole package
    found["different"] = [name for name in names if resolve(name) is not getattr(cf, name)]
    found["own"] = sum(name not in vars(cf) for name in names)
skip = ("__getattr__", "__builtins__", "__loader__", "__spec__", "__file__", "__cached__")

def said(o):
    return [type(o).__name__, getattr(o, "__module__", None), getattr(o, "__qualname__", getattr(o, "__name__", None))]

found["names"] = {name: said(getattr(cf, name)) for name in dir(cf) if name not in skip}
found["modules"] = {k: len(v) for k, v in rpc._RESOURCE_MODULES.items() if k.startswith("cloudflare")}
found["packages"] = {k: len(v) for k, v in rpc._RESOURCE_PACKAGES.items() if k.startswith("cloudflare")}
print(json.dumps(found))
"""


def _python(script: str, *args: str, stdin: str = "") -> Any:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], input=stdin, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def whole() -> Any:
    return _python(_NAMES, "whole")


def test_every_name_is_the_object_the_whole_init_binds_and_every_module_is_registered_once(whole: Any) -> None:
    deferred = _python(_NAMES, "deferred", stdin=json.dumps(sorted(whole["names"])))
    assert "_utilities" not in deferred["first"] and "_utilities" in deferred["resolved"]  # nothing ran on import
    assert "DnsRecord" not in deferred["resolved"]  # the star imports did not run with the rest
    assert deferred["different"] == []
    assert deferred["names"] == whole["names"]  # then everything, in the __init__'s order: the same bindings
    assert len(whole["names"]) > 5000 and deferred["own"] < len(whole["names"])
    assert deferred["modules"] == whole["modules"] and set(deferred["modules"].values()) == {1}
    assert deferred["packages"] == whole["packages"] == {"cloudflare": 1}


_PROGRAM = """
import json, sys
from pulumi_mta_sts.plan.cloud import PLAN_CLOUD
if sys.argv[1] == "whole":
    import pulumi_cloudflare
recorder = PLAN_CLOUD.recorder().install()

def program():
    import pulumi_cloudflare as cf
    from pulumi_cloudflare import DnsRecord
    from pulumi_cloudflare.zone import Zone
    zone = cf.Zone("zone", account={"id": "a"}, name="example.org")
    record = DnsRecord("record", zone_id=zone.id, name="x", type="TXT", ttl=1, content="v")
    got = cf.get_zone_output(filter=cf.GetZoneFilterArgs(name="example.org", match="all"))
    cf.WorkersScript("script", account_id=got.account.id, script_name="s", content="c")
    assert isinstance(zone, Zone) and type(record) is cf.dns_record.DnsRecord and cf.DnsRecord is DnsRecord
    namespace = {}
    exec("from pulumi_cloudflare import *", namespace)
    assert namespace["Zone"] is Zone and namespace["AccessRule"] is cf.access_rule.AccessRule

try:
    recorder.run(program)
finally:
    recorder.close()
print(json.dumps(sorted([[r.type, r.name, r.inputs, r.state] for r in recorder.resources], key=repr), default=repr))
"""


def test_a_program_that_imports_pulumi_cloudflare_itself_records_the_same_deferred_or_whole() -> None:
    deferred, whole = _python(_PROGRAM, "deferred"), _python(_PROGRAM, "whole")
    assert deferred == whole
    assert sorted(r[1] for r in deferred) == ["record", "script", "zone"]


_FLEET = """
import json, sys
from pathlib import Path
if sys.argv[1] == "whole":
    import pulumi_cloudflare
sys.path.insert(0, ".")
from tests.plan.test_engine_steps import _record_fleet, _records
import pytest
recorder = _record_fleet(json.loads(sys.stdin.read()), 100, pytest.MonkeyPatch())
cloudflare = vars(sys.modules.get("pulumi_cloudflare", sys))
print(json.dumps([_records(recorder), recorder.stack_outputs, recorder.warnings, "_utilities" in cloudflare,
                  "AccessRule" in cloudflare], default=repr))
"""


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(domains=fleets)
def test_a_generated_fleet_records_the_same_with_pulumi_cloudflare_deferred_or_whole(
    domains: list[tuple[str, str, bool, str]],
) -> None:
    fleet = json.dumps(domains)
    deferred, whole = _python(_FLEET, "deferred", stdin=fleet), _python(_FLEET, "whole", stdin=fleet)
    assert deferred[:3] == whole[:3]
    on_cloudflare = any(provider == "cloudflare" for provider, *_ in domains)
    assert deferred[3:] == [on_cloudflare, False]  # run only when used; never every submodule
    assert whole[3:] == [True, True]


def test_a_route53_plan_leaves_pulumi_cloudflare_unrun() -> None:
    only_route53 = json.dumps([["route53", "cloudfront", False, "testing"]] * 3)
    assert _python(_FLEET, "deferred", stdin=only_route53)[3:] == [False, False]


def test_the_engine_defers_no_package_already_imported() -> None:
    from pulumi_mta_sts.plan.engine import defer_star_imports

    module = sys.modules["json"]
    defer_star_imports("json")
    defer_star_imports("no_such_package_here")
    assert sys.modules["json"] is module and "no_such_package_here" not in sys.modules
