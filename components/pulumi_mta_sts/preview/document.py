"""The document ``pulumi preview --json`` prints (``tests/data/preview/README.md``), every part used
checked for its type; anything else is refused naming what it is and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pulumi_mta_sts.config.files import UnreadableFile, read_regular_file
from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, json_kind, load_bounded_json

#: The most read: a preview of thousands of resources is a few MiB; this bounds memory.
MAX_BYTES: Final = 32 * 1024 * 1024
#: A step's state nests five levels above its properties; at 60-75 bytes a value MAX_BYTES holds
#: about 500,000 values (2 million cost about 200 MB built).
BOUNDS: Final = JsonBounds(max_depth=128, max_items=2_000_000)
#: What the CLI writes for a secret value (``massagePropertyValue``).
SECRET: Final = "[secret]"
#: What the CLI writes for a value only known after deploy (``computedValuePlaceholder``).
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_DIGEST_KEYS: Final = ("steps", "diagnostics", "changeSummary", "config", "duration")
_SAVE: Final = "save only the standard output of `pulumi preview --json` to the file"


class PreviewError(ValueError):
    """The file is not a usable preview; the message completes "FILE: …" with the fix."""


@dataclass(frozen=True)
class ResourceState:
    type: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]

    def value(self, key: str) -> Any:
        return self.inputs[key] if key in self.inputs else self.outputs.get(key)


@dataclass(frozen=True)
class Step:
    op: str
    urn: str
    old: ResourceState | None
    new: ResourceState | None
    diff_reasons: tuple[str, ...] = ()
    replace_reasons: tuple[str, ...] = ()
    detailed_diff: Mapping[str, str] | None = None

    @property
    def type(self) -> str:
        state = next((s for s in (self.new, self.old) if s is not None and s.type), None)
        return state.type if state is not None else urn_parts(self.urn)[2].rsplit("$", 1)[-1]

    @property
    def name(self) -> str:
        return urn_parts(self.urn)[3]


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    urn: str | None


@dataclass(frozen=True)
class PreviewDigest:
    steps: tuple[Step, ...]
    diagnostics: tuple[Diagnostic, ...]
    change_summary: Mapping[str, int]
    maybe_corrupt: bool = False

    @property
    def stack(self) -> str | None:
        return next((urn_parts(s.urn)[0] for s in self.steps if urn_parts(s.urn)[0]), None)

    @property
    def project(self) -> str | None:
        return next((urn_parts(s.urn)[1] for s in self.steps if urn_parts(s.urn)[1]), None)


def urn_parts(urn: str) -> tuple[str, str, str, str]:
    """``urn:pulumi:STACK::PROJECT::QUALIFIED-TYPE::NAME`` → its four parts (a name may hold ``::``)."""
    body = urn.removeprefix("urn:pulumi:")
    parts = body.split("::", 3) if body != urn else []
    parts += [""] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


def read_preview(path: Path) -> PreviewDigest:
    try:
        data = read_regular_file(path, MAX_BYTES)
    except UnreadableFile as exc:
        fix = (
            "a DNS stack's preview is far smaller; check that the file is the output of `pulumi preview --json`"
            if "larger than" in exc.reason
            else _SAVE
        )
        raise PreviewError(f"{exc.reason}: {fix}") from None
    return parse_preview(data)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise PreviewError(
            "is empty: `pulumi preview --json` printed nothing (it stopped before previewing: see its error "
            "output), or its output was not saved"
        )
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # PowerShell 5's `>` writes UTF-16 with a BOM
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PreviewError(f"is not UTF-8 text (byte {exc.start}): {_SAVE}") from None


def _engine_events(text: str) -> bool:
    try:
        event = load_bounded_json(text.lstrip().split("\n", 1)[0], BOUNDS)
    except JsonInputError:
        return False
    return isinstance(event, dict) and "sequence" in event and "timestamp" in event


_WHY: Final = {
    "depth": " (a preview nests about ten levels)",
    "items": " (a preview of thousands of resources holds a few hundred thousand)",
    "number": " (`pulumi preview --json` never writes one: the file was changed)",
    "digits": " (`pulumi preview --json` never writes one: the file was changed)",
}


def _not_json(text: str, exc: JsonInputError) -> PreviewError:
    if _engine_events(text):
        return PreviewError(
            "holds Pulumi engine events, one per line (PULUMI_ENABLE_STREAMING_JSON_PREVIEW was set, or it is "
            "the output of `pulumi up --json`), not the preview document: run `pulumi preview --json` with "
            "PULUMI_ENABLE_STREAMING_JSON_PREVIEW unset"
        )
    if not text.lstrip().startswith(("{", "[")):
        return PreviewError(
            "is not JSON (it starts with text: the human-readable preview, or messages printed before the "
            "JSON): run `pulumi preview --json` and save only its standard output to the file (no 2>&1)"
        )
    return PreviewError(f"{exc.reason}{_WHY.get(exc.kind, '')}: {_SAVE}")


def parse_preview(data: bytes) -> PreviewDigest:
    text = _decode(data)
    try:
        document = load_bounded_json(text, BOUNDS)
    except JsonInputError as exc:
        raise _not_json(text, exc) from None
    if not isinstance(document, dict):
        raise PreviewError(f"is {json_kind(document)} in JSON, not the object `pulumi preview --json` prints: {_SAVE}")
    if not any(key in document for key in _DIGEST_KEYS):
        raise PreviewError(f"is {_identify(document)}: {_SAVE}")
    steps, diagnostics = (_get(document, key, list, "") or [] for key in ("steps", "diagnostics"))
    return PreviewDigest(
        steps=tuple(_step(item, f"steps[{i}]") for i, item in enumerate(steps)),
        diagnostics=tuple(_diagnostic(item, f"diagnostics[{i}]") for i, item in enumerate(diagnostics)),
        change_summary=_change_summary(document.get("changeSummary")),
        maybe_corrupt=document.get("maybeCorrupt") is True,
    )


def _identify(document: Mapping[str, Any]) -> str:
    if {"resources", "dns", "policy"} <= document.keys():
        return "the output of `mta-sts plan --format json`, not of `pulumi preview --json`"
    if "deployment" in document and "version" in document:
        return "a stack export (`pulumi stack export`), not a preview"
    return "not a preview: it has none of the keys " + ", ".join(_DIGEST_KEYS)


def _shape(where: str, value: object, expected: str) -> PreviewError:
    return PreviewError(
        f"{where} is {json_kind(value)}, not {expected} as `pulumi preview --json` writes it: the file was changed "
        f"or is not a preview; {_SAVE}"
    )


def _quoted(key: str, limit: int = 60) -> str:
    return json.dumps(key if len(key) <= limit else key[:limit] + "…")


def _get(item: Mapping[str, Any], key: str, kind: type, where: str, *, required: bool = False) -> Any:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        raise _shape(f"{where}.{key}" if where else key, value, json_kind(kind()))
    return value


def _strings(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        raise _shape(f"{where}.{key}", value, "an array of strings")
    return tuple(value or ())


def _state(item: Mapping[str, Any], key: str, where: str) -> ResourceState | None:
    state = _get(item, key, dict, where)
    if state is None:
        return None
    place = f"{where}.{key}"
    return ResourceState(
        type=_get(state, "type", str, place) or "",
        inputs=_get(state, "inputs", dict, place) or {},
        outputs=_get(state, "outputs", dict, place) or {},
    )


def _detailed_diff(item: Mapping[str, Any], where: str) -> dict[str, str] | None:
    diff = _get(item, "detailedDiff", dict, where)
    if diff is None:
        return None
    kinds: dict[str, str] = {}
    for path, entry in diff.items():
        place = f"{where}.detailedDiff[{_quoted(path)}]"
        kinds[path] = _get(_object(entry, place), "kind", str, place) or "update"
    return kinds


def _object(item: object, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _shape(where, item, "an object")
    return item


def _step(item: object, where: str) -> Step:
    fields = _object(item, where)
    return Step(
        op=_get(fields, "op", str, where, required=True),
        urn=_get(fields, "urn", str, where, required=True),
        old=_state(fields, "oldState", where),
        new=_state(fields, "newState", where),
        diff_reasons=_strings(fields, "diffReasons", where),
        replace_reasons=_strings(fields, "replaceReasons", where),
        detailed_diff=_detailed_diff(fields, where),
    )


def _diagnostic(item: object, where: str) -> Diagnostic:
    fields = _object(item, where)
    severity, prefix, message, urn = (_get(fields, key, str, where) for key in ("severity", "prefix", "message", "urn"))
    return Diagnostic(severity or "info", (prefix or "") + (message or ""), urn or None)


def _change_summary(value: object) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _shape("changeSummary", value, "an object")
    for op, count in value.items():
        if not isinstance(count, int) or isinstance(count, bool):
            raise _shape(f"changeSummary[{_quoted(op)}]", count, "a number of steps")
    return dict(value)
