"""Issue 22: two stacks of one project must not own the same DNS name. ``mta-sts plan --all``
compares the record sets each stack's plan publishes (names in normal form, every type) and
warns, naming the name, both stacks and the types, in text, Markdown and JSON (``dns_overlaps``),
without changing the exit code. The shipped examples own distinct names.

Generated: random sets of stacks with overlapping and distinct names, as record rows (against an
oracle) and as real stack files planned by ``plan --all``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.change.model import ChangeSet, RecordChange
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.plan.cloud import UNKNOWN
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.plan.output import plan_json, render_json, render_markdown, render_text
from pulumi_mta_sts.plan.report import HEADING, StackReport, published_names, shared_names
from pulumi_mta_sts.plan.stack_plan import DomainPolicy, Plan, plan_stack
from pulumi_mta_sts.program.options import ProgramOptions

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
EXAMPLES = ("example-com", "example-fleet", "example-net", "example-org")

# ---- the comparison, on record rows ----------------------------------------------------------------

NAMES = ("_mta-sts.a.example", "_smtp._tls.a.example", "mta-sts.a.example", "mta-sts.b.example", "b.example")
TYPES = ("TXT", "A", "AAAA", "CNAME", "MX", "WORKER")


def _spelled(name: str, upper: list[bool], dot: bool) -> str:
    """``name`` as another stack may spell it: other case, a trailing dot."""
    text = "".join(c.upper() if up else c for c, up in zip(name, upper * len(name), strict=False))
    return text + ("." if dot else "")


@st.composite
def stack_rows(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    """Stack name → the record rows its plan publishes; names drawn from a small pool, so some
    stacks overlap and some do not."""
    stacks = draw(st.lists(st.from_regex(r"\A[a-z][a-z0-9-]{0,8}\Z"), min_size=1, max_size=5, unique=True))
    out: dict[str, list[dict[str, str]]] = {}
    for stack in stacks:
        rows = []
        for name in draw(st.lists(st.sampled_from(NAMES), max_size=4)):
            spelled = _spelled(name, draw(st.lists(st.booleans(), min_size=1, max_size=3)), draw(st.booleans()))
            rows.append({"name": spelled, "type": draw(st.sampled_from(TYPES)), "value": "v"})
        out[stack] = rows
    return out


def _oracle(rows: Mapping[str, list[dict[str, str]]]) -> dict[str, dict[str, set[str]]]:
    """Name → stack → types, the slow and obvious way (ASCII names: case and the dot)."""
    found: dict[str, dict[str, set[str]]] = {}
    for stack, stack_rows_ in rows.items():
        for row in stack_rows_:
            found.setdefault(row["name"].lower().rstrip("."), {}).setdefault(stack, set()).add(row["type"])
    return {name: owners for name, owners in found.items() if len(owners) > 1}


@settings(deadline=None)
@given(stack_rows())
def test_every_name_two_stacks_publish_is_found_with_both_stacks_and_types(
    rows: dict[str, list[dict[str, str]]],
) -> None:
    shared = shared_names({stack: published_names(r) for stack, r in rows.items()})
    expected = _oracle(rows)
    assert [entry.name for entry in shared] == sorted(expected)
    for entry in shared:
        assert list(entry.stacks) == sorted(expected[entry.name])  # every owner, in order
        assert {o.stack: set(o.types) for o in entry.owners} == expected[entry.name]
        assert all(o.stack in entry.text() and all(t in entry.text() for t in o.types) for o in entry.owners)


@settings(deadline=None)
@given(stack_rows())
def test_stacks_with_distinct_names_share_nothing(rows: dict[str, list[dict[str, str]]]) -> None:
    distinct = {stack: [{**row, "name": f"{stack}.{row['name']}"} for row in r] for stack, r in rows.items()}
    assert shared_names({stack: published_names(r) for stack, r in distinct.items()}) == []


def test_an_internationalised_name_is_compared_in_its_a_label_form() -> None:
    rows = {
        "a": [{"name": "_mta-sts.Bücher.example.", "type": "TXT"}],
        "b": [{"name": "_mta-sts.xn--bcher-kva.example", "type": "TXT"}],
    }
    [entry] = shared_names({stack: published_names(r) for stack, r in rows.items()})
    assert (entry.name, entry.stacks) == ("_mta-sts.xn--bcher-kva.example", ("a", "b"))


def test_names_known_only_after_the_deploy_are_not_compared() -> None:
    rows = [{"name": UNKNOWN, "type": "CNAME"}, {"name": f"_x.{UNKNOWN}", "type": "CNAME"}, {"name": "", "type": "A"}]
    assert published_names(rows) == {}


# ---- the warning in every format, from reports ---------------------------------------------------------


def _plan(stack: str, names: list[str]) -> Plan:
    resources = [
        RecordedResource(
            type="aws:route53/record:Record",
            name=f"{stack}-{i}",
            urn=f"urn:{stack}-{i}",
            custom=True,
            inputs={"name": name, "type": "TXT", "records": ["v=x"]},
        )
        for i, name in enumerate(names)
    ]
    return Plan(stack, [DomainPolicy(names[0] if names else "x.example", "", "")], resources)


def _report(stack: str, names: list[str]) -> StackReport:
    live = ChangeSet([RecordChange(n, "TXT", ["v=x"]) for n in names], [], compared=False, reason="not asked")
    return StackReport(stack, _plan(stack, names), live)


def test_json_keeps_every_key_and_adds_dns_overlaps() -> None:
    reports = [_report("one", ["_mta-sts.a.example"]), _report("two", ["_MTA-STS.A.example."])]
    doc = render_json(reports, several=True)
    assert set(doc) == {"stacks", "dns_overlaps"} and [s["stack"] for s in doc["stacks"]] == ["one", "two"]
    assert doc["dns_overlaps"] == [
        {
            "name": "_mta-sts.a.example",
            "stacks": ["one", "two"],
            "owners": [{"stack": "one", "types": ["TXT"]}, {"stack": "two", "types": ["TXT"]}],
        }
    ]
    assert render_json(reports[:1], several=False) == plan_json(reports[0].plan, reports[0].live)  # type: ignore[arg-type]


def test_many_shared_names_keep_the_comment_within_its_budget_and_count_the_rest() -> None:
    names = [f"_mta-sts.d{i}.example" for i in range(3000)]
    reports = [_report(f"stack-{k}", names) for k in range(3)]
    text = render_markdown(reports)
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    head = text.split("\n---\n", 1)[0]
    assert head.startswith(f"### ⚠️ {HEADING} (3000)") and len(head.encode("utf-8")) <= 8_000
    assert "more shared names" in head and "`stack-0`" in head and "`stack-2`" in head


def test_many_stacks_sharing_one_name_are_named_up_to_a_bound() -> None:
    reports = [_report(f"s{k:03d}", ["mta-sts.x.example"]) for k in range(50)]
    head = render_markdown(reports).split("\n---\n", 1)[0]
    assert "`s005`" in head and "`s006`" not in head and "and 44 more stacks" in head
    [line] = [line for line in render_text(reports).splitlines() if line.startswith("  mta-sts.x.example:")]
    assert all(f" in s{k:03d}" in line for k in range(50))  # the terminal names every one


# ---- plan --all over real stack files -------------------------------------------------------------------

POOL = ("a.example", "b.example", "c.example")


def _stack_file(domain: str) -> str:
    return (
        "config:\n"
        "  aws:region: eu-west-1\n"
        f"  mta-sts:domain: {domain}\n"
        "  mta-sts:dns:\n    provider: route53\n"
        f"  mta-sts:policy:\n    mode: testing\n    mx: [mx1.{domain}]\n"
        f"  mta-sts:reporting:\n    rua: [mailto:tlsrpt@{domain}]\n"
    )


def _project(folder: Path, domains: dict[str, str]) -> Path:
    (folder / "Pulumi.yaml").write_text(f"name: mta-sts\nruntime: python\nmain: {STACKS}\nstackConfigDir: stacks\n")
    stacks = folder / "stacks"
    stacks.mkdir()
    for stack, domain in domains.items():
        (stacks / f"Pulumi.{stack}.yaml").write_text(_stack_file(domain))
    return stacks


def _plan_all(stacks: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["plan", "--all", "--stacks-dir", str(stacks), "--no-live-dns", "--format", fmt])
    return code, capsys.readouterr().out


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each case plans several stacks: no shrinking
)
@given(domains=st.lists(st.sampled_from(POOL), min_size=2, max_size=4))
def test_plan_all_warns_in_every_format_naming_both_stacks_and_the_name(
    domains: list[str], tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    by_stack = {f"s{i}": domain for i, domain in enumerate(domains)}
    stacks = _project(tmp_path_factory.mktemp("project"), by_stack)
    code, out = _plan_all(stacks, "json", capsys)
    assert code == 0  # a warning, never an error
    shared: dict[str, list[str]] = {}
    for stack, domain in by_stack.items():
        shared.setdefault(domain, []).append(stack)
    expected = {
        f"{prefix}{domain}": owners
        for domain, owners in shared.items()
        if len(owners) > 1
        for prefix in ("_mta-sts.", "_smtp._tls.", "mta-sts.")
    }
    assert {e["name"]: e["stacks"] for e in json.loads(out)["dns_overlaps"]} == expected
    for fmt in ("text", "markdown"):
        code, out = _plan_all(stacks, fmt, capsys)
        assert code == 0 and (HEADING in out) == bool(expected)
        start, stack = ("{}:", " in {}") if fmt == "text" else ("- `{}`:", " in `{}`")
        for name, owners in expected.items():
            [line] = [line for line in out.splitlines() if line.strip().startswith(start.format(name))]
            assert all(stack.format(owner) in line for owner in owners), line


def test_the_exit_code_stays_the_worst_stacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stacks = _project(tmp_path, {"one": "a.example", "two": "a.example"})
    (stacks / "Pulumi.broken.yaml").write_text(_stack_file("a.example").replace("mode: testing", "mode: sometimes"))
    code, out = _plan_all(stacks, "json", capsys)
    doc = json.loads(out)
    assert code == 2 and [e["stacks"] for e in doc["dns_overlaps"]] == [["one", "two"]] * 3


# ---- the shipped examples ---------------------------------------------------------------------------------


def test_the_shipped_example_stacks_own_distinct_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _plan_all(STACKS, "json", capsys)
    assert code == 0 and json.loads(out)["dns_overlaps"] == []


@pytest.mark.parametrize("stack", EXAMPLES)
def test_nothing_depends_on_the_txt_records_so_state_delete_takes_them(stack: str) -> None:
    """docs/deploying.md ("Moving a domain between stacks") has ``pulumi state delete`` drop the
    ``_mta-sts`` and ``_smtp._tls`` records from a stack; Pulumi refuses that for a resource
    another depends on or is parented to."""
    plan = plan_stack(stack, stacks_dir=STACKS, options=ProgramOptions(live_dns=False))
    txt = {r.urn for r in plan.resources if r.name.endswith(("-mta-sts-txt", "-tlsrpt-txt"))}
    assert txt  # every example publishes them
    for resource in plan.resources:
        assert not (resource.all_dependencies() | {resource.parent}) & txt, resource.name
