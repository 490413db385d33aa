"""Documents in the exact form ``pulumi preview --json`` prints, for fixtures and generated cases.

The form is the Pulumi CLI's (github.com/pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8;
tests/data/preview/README.md lists the files): ``PreviewDigest`` fields in struct order
(``config``, ``steps``, ``diagnostics``, ``duration``, ``changeSummary``, ``maybeCorrupt``),
each step's ``op``, ``urn``, ``provider``, ``oldState``, ``newState``, ``diffReasons``,
``replaceReasons``, ``detailedDiff`` (written as ``null`` when absent), states in
``apitype.ResourceV3`` field order with empty fields left out, map keys sorted and
``<``, ``>``, ``&`` escaped as Go's ``json.MarshalIndent`` writes them (4 spaces), and a final
newline (``fmt.Println``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_mta_sts.config.stack_file import go_json as go_scalar

PROJECT = "mta-sts"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"
ROOT_TYPE = "pulumi:pulumi:Stack"
#: ``apitype.ResourceV3``'s JSON fields in struct order (the ones a preview of this program uses).
STATE_FIELDS = (
    "urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "taint", "external",
    "dependencies", "initErrors", "provider", "propertyDependencies", "pendingReplacement",
    "additionalSecretOutputs", "aliases", "customTimeouts", "importID", "retainOnDelete", "deletedWith",
    "replaceWith", "created", "modified", "sourcePosition",
)  # fmt: skip


def go_json(document: Any) -> str:
    """``document`` as Go's ``json.MarshalIndent(v, "", "    ")`` + ``fmt.Println`` writes it
    (struct order is the dicts' order; maps must already be sorted by the caller); each scalar
    as Go writes it (:func:`pulumi_mta_sts.config.stack_file.go_json`: escapes, numbers)."""
    return _indented(document, "") + "\n"


def _indented(value: Any, pad: str) -> str:
    inner = pad + "    "
    if isinstance(value, dict) and value:
        items = ",\n".join(f"{inner}{go_scalar(str(k))}: {_indented(v, inner)}" for k, v in value.items())
        return "{\n" + items + "\n" + pad + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + _indented(v, inner) for v in value) + "\n" + pad + "]"
    return go_scalar(value)


def sorted_map(value: Any) -> Any:
    """A property value with every map's keys sorted, as Go writes a ``map[string]any``."""
    if isinstance(value, Mapping):
        return {k: sorted_map(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_map(v) for v in value]
    return value


def urn(stack: str, qualified_type: str, name: str, project: str = PROJECT) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def root_urn(stack: str, project: str = PROJECT) -> str:
    return urn(stack, ROOT_TYPE, f"{project}-{stack}", project)


def provider_ref(stack: str, package: str, version: str, ident: str, project: str = PROJECT) -> str:
    """A default provider's reference: ``URN::ID`` (the id is unknown while it is being created)."""
    name = "default" if package == "pulumi-python" else f"default_{version.replace('.', '_')}"
    return f"{urn(stack, f'pulumi:providers:{package}', name, project)}::{ident}"


def state(urn_: str, type_: str, **fields: Any) -> dict[str, Any]:
    """A ``ResourceV3`` with the given fields, in struct order, empty ones left out."""
    fields = {"urn": urn_, "type": type_, **fields}
    out: dict[str, Any] = {}
    for key in STATE_FIELDS:
        value = fields.get(key)
        if key == "custom":
            out[key] = bool(value)  # no omitempty
        elif value not in (None, False, "", [], {}):
            out[key] = sorted_map(value) if key in ("inputs", "outputs", "propertyDependencies") else value
    return out


def step(
    op: str,
    urn_: str,
    *,
    provider: str = "",
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    diff_reasons: Sequence[str] = (),
    replace_reasons: Sequence[str] = (),
    detailed_diff: Mapping[str, tuple[str, bool]] | None = None,
) -> dict[str, Any]:
    """A ``PreviewStep``: ``detailed_diff`` maps a property path to (kind, inputDiff)."""
    out: dict[str, Any] = {"op": op, "urn": urn_}
    if provider:
        out["provider"] = provider
    if old is not None:
        out["oldState"] = dict(old)
    if new is not None:
        out["newState"] = dict(new)
    if diff_reasons:
        out["diffReasons"] = list(diff_reasons)
    if replace_reasons:
        out["replaceReasons"] = list(replace_reasons)
    out["detailedDiff"] = (
        None
        if detailed_diff is None
        else {
            path: {"kind": kind, "inputDiff": input_diff} for path, (kind, input_diff) in sorted(detailed_diff.items())
        }
    )
    return out


def diagnostic(message: str, severity: str, urn_: str = "") -> dict[str, Any]:
    """A ``PreviewDiagnostic``: ``message`` already carries its ``error: `` / ``warning: `` prefix
    and the newline ``StringifyDiag`` ends it with."""
    out: dict[str, Any] = {}
    if urn_:
        out["urn"] = urn_
    out["message"] = message
    out["severity"] = severity
    return out


def digest(
    steps: Sequence[Mapping[str, Any]],
    *,
    config: Mapping[str, str] | None = None,
    diagnostics: Sequence[Mapping[str, Any]] = (),
    duration: int = 0,
    maybe_corrupt: bool = False,
) -> dict[str, Any]:
    """A ``PreviewDigest``; ``changeSummary`` counted as the engine counts it (logical steps)."""
    summary: dict[str, int] = {}
    for item in steps:
        op = item["op"]
        if op not in ("create-replacement", "delete-replaced", "refresh"):
            summary[op] = summary.get(op, 0) + 1
    out: dict[str, Any] = {}
    if config:
        out["config"] = dict(sorted(config.items()))
    if steps:
        out["steps"] = list(steps)
    if diagnostics:
        out["diagnostics"] = list(diagnostics)
    if duration:
        out["duration"] = duration
    if summary:
        out["changeSummary"] = dict(sorted(summary.items()))
    if maybe_corrupt:
        out["maybeCorrupt"] = True
    return out
