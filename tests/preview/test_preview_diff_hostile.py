"""``mta-sts preview-diff`` on files that are not a good preview: one line naming the file and the
fix, exit 2, never a traceback; and on generated previews (random step mixes, hostile values,
huge stacks): never a crash, every DNS step shown, Markdown within GitHub's comment limit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_LIMIT
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.escape import markdown as md
from pulumi_mta_sts.escape.visible import shown
from pulumi_mta_sts.preview.changes import POLICY_LIVE, mail_domain
from pulumi_mta_sts.preview.document import MAX_BYTES, read_preview
from tests.escape.gfm import parse, render, text_of
from tests.missing import ROOT_READS_EVERYTHING

from . import pulumi_json as pj

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"
STACK = "example-com"
RECORD_TYPES = {
    "aws:route53/record:Record": "mta-sts:dns:Route53Dns",
    "cloudflare:index/dnsRecord:DnsRecord": "mta-sts:dns:CloudflareDns",
    "cloudflare:index/workersCustomDomain:WorkersCustomDomain": "mta-sts:hosting:WorkerHost",
}
OTHER_TYPES = ("aws:s3/bucket:Bucket", "aws:lambda/function:Function", "mta-sts:mtasts:MtaSts", POLICY_LIVE)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["preview-diff", str(path), *args])
    return code, out.getvalue(), err.getvalue()


def refused(path: Path) -> str:
    code, out, err = run(path)
    assert code == 2 and out == "", (code, out, err)
    assert err.count("\n") == 1 and err.startswith(f"mta-sts preview-diff: {path}: "), err
    assert "Traceback" not in err
    return err


# ---- files that are no preview ------------------------------------------------------------------
CASES = {
    "empty": (b"", "is empty"),
    "blank": (b"\n \n", "is empty"),
    "not-utf8": (b'{"steps": "\xff"}', "is not UTF-8"),
    "human": (b"Previewing update (example-com)\n\n     Type   Name\n", "human-readable preview"),
    "stderr-mixed": (b'warning: A new version of Pulumi is available.\n{"steps": []}', "no 2>&1"),
    "truncated": (b'{"steps": [{"op": "create", "urn"', "is not valid JSON (line 1 column"),
    "events": (
        b'{"sequence":0,"timestamp":1764633600,"preludeEvent":{"config":{}}}\n'
        b'{"sequence":1,"timestamp":1764633601,"summaryEvent":{}}\n',
        "PULUMI_ENABLE_STREAMING_JSON_PREVIEW",
    ),
    "array": (b"[]", "is an array in JSON"),
    "string": (b'"steps"', "is a string in JSON"),
    "empty-object": (b"{}", "none of the keys"),
    "plan": (b'{"stack": "x", "resources": [], "dns": [], "policy": {}}', "mta-sts plan --format json"),
    "export": (b'{"version": 3, "deployment": {}}', "pulumi stack export"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nests deeper than 128 levels"),
    "huge-number": (b'{"duration": ' + b"9" * 5000 + b"}", "holds an integer of 5000 digits"),
    "nan": (b'{"duration": NaN}', "holds NaN, which is not a JSON number"),
    "infinity": (b'{"changeSummary": {"create": -Infinity}}', "holds -Infinity"),
    "1e400": (b'{"duration": 1e400}', "holds the number 1e400, too large"),
    "deep-inputs": (
        b'{"steps": [{"op": "create", "urn": "u", "newState": {"type": "t", "inputs": {"a": '
        + b"[" * 600
        + b"]" * 600
        + b"}}}]}",
        "nests deeper than 128 levels",
    ),
    "many-values": (b"[" + b"{}," * 1_000_000 + b"{}]", "JSON values; the limit is 2000000"),
    "steps-object": (b'{"steps": {}}', "steps is an object, not an array"),
    "step-string": (b'{"steps": ["create"]}', "steps[0] is a string, not an object"),
    "no-op": (b'{"steps": [{"urn": "urn:pulumi:a::b::t::n"}]}', "steps[0].op is null, not a string"),
    "state-string": (b'{"steps": [{"op": "create", "urn": "u", "newState": "x"}]}', "steps[0].newState is a string"),
    "inputs-list": (
        b'{"steps": [{"op": "update", "urn": "u", "oldState": {"type": "t", "inputs": []}}]}',
        "steps[0].oldState.inputs is an array",
    ),
    "diff-entry": (
        b'{"steps": [{"op": "update", "urn": "u", "detailedDiff": {"a": 1}}]}',
        'detailedDiff["a"] is a number',
    ),
    "summary-text": (b'{"changeSummary": {"create": "1"}}', 'changeSummary["create"] is a string'),
    "diagnostic-list": (b'{"diagnostics": [["error"]]}', "diagnostics[0] is an array"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_that_is_no_preview_is_one_line_naming_it(tmp_path: Path, case: str) -> None:
    data, expected = CASES[case]
    path = tmp_path / "preview.json"
    path.write_bytes(data)
    assert expected in refused(path)


def test_a_preview_saved_by_powershell_as_utf16_is_read(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    path.write_bytes((DATA / "policy-edit.json").read_text().encode("utf-16"))
    code, out, err = run(path, "--format", "text")
    assert code == 0 and not err and "_mta-sts.example.com" in out


def test_a_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in refused(tmp_path / "nope.json")


def test_a_directory_a_pipe_and_a_device(tmp_path: Path) -> None:
    assert "is a directory" in refused(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "named pipe" in refused(fifo)  # never waits for a writer
    assert "character device" in refused(Path("/dev/zero"))


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    assert "larger than" in refused(path)


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip(ROOT_READS_EVERYTHING)
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0)
    assert "permission denied" in refused(path)


# ---- generated previews -------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
digest_like = st.dictionaries(
    st.sampled_from(["steps", "diagnostics", "changeSummary", "config", "duration", "maybeCorrupt", "x"]),
    json_values,
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=json_values | digest_like)
def test_any_json_never_crashes(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "random.json"
    path.write_text(json.dumps(document))
    code, _out, err = run(path, "--format", "text")
    assert code in (0, 1, 2)
    assert (code == 2) == bool(err) and (code != 2 or err.count("\n") == 1)


hostile_text = st.text(
    alphabet=st.sampled_from(list("abc.-_ |`*<>&@#[]()\\\"'\n\r\x1b\u2028\u202e")) | st.characters(codec="utf-8"),
    max_size=40,
)
values = st.one_of(hostile_text, st.just(pj.SECRET), st.just(pj.UNKNOWN), st.just("v=STSv1; id=abc;"))
OP_STATES = {
    "create": (False, True),
    "update": (True, True),
    "delete": (True, False),
    "same": (True, True),
    "replace": (True, True),
    "create-replacement": (True, True),
    "delete-replaced": (True, False),
    "read": (False, True),
    "import": (False, True),
    "refresh": (True, True),
    "discard": (True, False),
}


def _inputs(type_: str, data: st.DataObject) -> dict[str, Any]:
    if type_ == "aws:route53/record:Record":
        records = data.draw(st.lists(values, max_size=3) | values)
        return {
            "name": data.draw(values),
            "type": data.draw(st.sampled_from(["TXT", "A", "CNAME"])),
            "records": records,
        }
    if type_ == "cloudflare:index/dnsRecord:DnsRecord":
        return {
            "name": data.draw(values),
            "type": data.draw(st.sampled_from(["TXT", "MX"])),
            "content": data.draw(values),
            "priority": 10,
        }
    if type_.endswith("WorkersCustomDomain"):
        return {"hostname": data.draw(values), "service": data.draw(values)}
    if type_ == POLICY_LIVE:
        url = st.one_of(values, st.integers(), st.just("https://mta-sts.example.com/.well-known/mta-sts.txt"))
        return {"url": data.draw(url), "policy_text": data.draw(values), "policy_id": data.draw(values)}
    return {"content": data.draw(values), "key": data.draw(st.sampled_from([".well-known/mta-sts.txt", "x"]))}


@st.composite
def step_mixes(draw: st.DrawFn) -> list[dict[str, Any]]:
    data = draw(st.data())
    steps = [pj.step("same", pj.root_urn(STACK), new=pj.state(pj.root_urn(STACK), pj.ROOT_TYPE))]
    for index in range(draw(st.integers(0, 12))):
        type_ = draw(st.sampled_from([*RECORD_TYPES, *OTHER_TYPES, "aws:s3/bucketObjectv2:BucketObjectv2"]))
        qualified = f"{RECORD_TYPES[type_]}${type_}" if type_ in RECORD_TYPES else type_
        urn = pj.urn(STACK, qualified, f"r{index}-{draw(st.text(alphabet='ab:$', max_size=4))}")
        for op in draw(st.lists(st.sampled_from(sorted(OP_STATES)), min_size=1, max_size=3)):
            has_old, has_new = OP_STATES[op]
            old = pj.state(urn, type_, custom=True, inputs=_inputs(type_, data)) if has_old else None
            new = pj.state(urn, type_, custom=True, inputs=_inputs(type_, data)) if has_new else None
            diff = draw(st.none() | st.dictionaries(st.text(max_size=8), st.tuples(st.just("update"), st.booleans())))
            steps.append(pj.step(op, urn, old=old, new=new, detailed_diff=diff))
    return steps


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=step_mixes(),
    diagnostics=st.lists(st.tuples(values, st.sampled_from(["error", "warning", "info"])), max_size=3),
)
def test_random_step_mixes_show_every_dns_step(
    tmp_path: Path, steps: list[dict[str, Any]], diagnostics: list[tuple[str, str]]
) -> None:
    document = pj.digest(steps, diagnostics=[pj.diagnostic(m, s) for m, s in diagnostics])
    path = tmp_path / "mix.json"
    path.write_text(pj.go_json(document))
    outputs = {fmt: run(path, "--format", fmt) for fmt in ("json", "markdown", "text")}
    failed = any(severity == "error" for _, severity in diagnostics)
    for exit_code, _, err in outputs.values():
        assert exit_code == (1 if failed else 0) and err == ""
    shown = json.loads(outputs["json"][1])
    domain = mail_domain(read_preview(path))
    assert domain is None or isinstance(domain, str)
    dns_urns = {s["urn"] for s in steps if s["urn"].split("::")[2].rsplit("$", 1)[-1] in RECORD_TYPES}
    assert {e["urn"] for e in shown["dns"] + shown["dns_unchanged"]} == dns_urns
    markdown = outputs["markdown"][1]
    assert len(markdown.encode()) <= MARKDOWN_LIMIT
    for entry in shown["dns"]:
        assert md.cell(entry["name"], 300) in markdown
    assert "\x1b" not in outputs["text"][1] and "\x1b" not in markdown and "\u202e" not in markdown


def test_hostile_values_are_code_in_markdown(tmp_path: Path) -> None:
    urn = pj.urn(STACK, "mta-sts:dns:Route53Dns$aws:route53/record:Record", "evil")
    value = "</code><img src=x onerror=alert(1)> | @org/team ``` [link](https://x) \x1b[31m"
    new = pj.state(
        urn, "aws:route53/record:Record", custom=True, inputs={"name": "x.example.com", "type": "A", "records": [value]}
    )
    path = tmp_path / "evil.json"
    path.write_text(pj.go_json(pj.digest([pj.step("create", urn, new=new)])))
    _, markdown, _ = run(path)
    root = parse(render(markdown))
    assert not root.find("img") and not root.find("a")
    assert [text_of(cell) for cell in root.find("td")][-1] == shown(value)


def test_a_huge_stack_fits_one_comment(tmp_path: Path) -> None:
    steps = [pj.step("same", pj.root_urn(STACK), new=pj.state(pj.root_urn(STACK), pj.ROOT_TYPE))]
    for index in range(3000):
        urn = pj.urn(STACK, "mta-sts:dns:Route53Dns$aws:route53/record:Record", f"record-{index}")
        inputs = {"name": f"host{index}.example.com", "type": "TXT", "records": ["x" * 250]}
        steps.append(pj.step("create", urn, new=pj.state(urn, "aws:route53/record:Record", custom=True, inputs=inputs)))
    path = tmp_path / "huge.json"
    path.write_text(pj.go_json(pj.digest(steps)))
    code, markdown, _ = run(path)
    assert code == 0 and len(markdown) <= MARKDOWN_LIMIT
    assert "`+` 3000 to create" in markdown and "more record sets, left out to fit a comment" in markdown
