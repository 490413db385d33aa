"""The document ``pulumi preview --json`` prints, read and checked before anything uses it.

The format, from the Pulumi CLI's source (github.com/pulumi/pulumi, commit
1b5949891b3cefcb9974752b24a5ecef0acc86c8 of 2026-08-21; facts only, nothing copied):

- ``pkg/display/json.go``: ``PreviewDigest`` — ``config`` (blinded), ``steps``,
  ``diagnostics``, ``duration`` (nanoseconds), ``changeSummary`` (op → count), ``maybeCorrupt``;
  ``PreviewStep`` — ``op``, ``urn``, ``provider``, ``oldState``, ``newState``, ``diffReasons``,
  ``replaceReasons``, ``detailedDiff`` (always written, ``null`` when the step has none: plain
  creates, deletes, sames); ``PropertyDiff`` — ``kind``, ``inputDiff``; ``PreviewDiagnostic`` —
  ``urn``, ``prefix``, ``message``, ``severity``.
- ``pkg/backend/display/json.go`` (``ShowPreviewDigest``, ``getPreviewMetadataStep``,
  ``massagePropertyValue``): one indented document printed when the preview ends, also when it
  failed; secret values replaced by the string ``[secret]``; a diagnostic's ``message`` is its
  prefix plus text (``error: …``, ``warning: …``), debug and ephemeral ones left out, program
  output added with severity ``info``.
- ``pkg/backend/display/display.go`` (``shouldShow``, ``ShowEvents``): ``same`` steps only with
  ``--show-sames`` (the root stack's step always); a replacement is one ``replace`` step unless
  ``--show-replacement-steps`` adds its ``create-replacement`` / ``delete-replaced`` halves;
  with ``PULUMI_ENABLE_STREAMING_JSON_PREVIEW`` set, engine events one per line instead.
- ``pkg/resource/deploy/step.go``: the op names (``same``, ``create``, ``update``, ``delete``,
  ``replace``, ``create-replacement``, ``delete-replaced``, ``read``, ``read-replacement``,
  ``refresh``, ``discard``, ``discard-replaced``, ``remove-pending-replace``, ``import``,
  ``import-replacement``, ``diff``, ``extend-parameterize``).
- ``sdk/go/common/apitype/core.go`` (``ResourceV3``): ``oldState``/``newState`` with ``urn``,
  ``custom``, ``id``, ``type``, ``inputs``, ``outputs``, ``parent``, ``dependencies``,
  ``provider`` …; ``pkg/resource/stack/deployment.go``: a value unknown until deploy is the
  string ``04da6b54-80e4-46f7-96ec-b56ff0331ba9``.
- ``sdk/go/common/resource/plugin/provider.go``: diff kinds ``add``, ``add-replace``,
  ``delete``, ``delete-replace``, ``update``, ``update-replace``;
  ``sdk/go/common/diag/sink.go``: severities ``debug``, ``info``, ``info#err``, ``warning``,
  ``error``; ``pkg/engine/update.go``: ``changeSummary`` counts logical steps (``same`` too).

Anything else is refused with one sentence naming the file, what it is, and the fix. The JSON is
read by the toolkit's one bounded reader (:mod:`pulumi_mta_sts.core.bounded_json`): nesting,
number of values, ``NaN``/``Infinity`` and numbers too large to print are refused before
anything walks the document, and every part used is checked for its type, at every level.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pulumi_mta_sts.config.files import UnreadableFile, read_regular_file
from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, json_kind, load_bounded_json

__all__ = [
    "MAX_BYTES",
    "SECRET",
    "UNKNOWN",
    "Diagnostic",
    "PreviewDigest",
    "PreviewError",
    "ResourceState",
    "Step",
    "parse_preview",
    "read_preview",
]

#: The most read: a preview of thousands of resources is a few MiB; this bounds memory.
MAX_BYTES: Final = 32 * 1024 * 1024
#: How far a preview may nest and how many JSON values it may hold: a step's state nests five
#: levels above its property values; a preview spends 60-75 bytes a value, so MAX_BYTES of real
#: preview holds about 500,000 (2 million cost about 200 MB once built).
BOUNDS: Final = JsonBounds(max_depth=128, max_items=2_000_000)
#: What the CLI writes for a secret value (``massagePropertyValue``).
SECRET: Final = "[secret]"
#: What the CLI writes for a value only known after deploy (``computedValuePlaceholder``).
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_DIGEST_KEYS: Final = ("steps", "diagnostics", "changeSummary", "config", "duration")
_SAVE: Final = "save only the standard output of `pulumi preview --json` to the file"


class PreviewError(ValueError):
    """The file is not a usable preview; ``reason`` completes "FILE: …" and says the fix."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ResourceState:
    """A resource's ``oldState`` or ``newState``: its type token, inputs and outputs."""

    type: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]

    def value(self, key: str) -> Any:
        """The input ``key`` (what the program asks for), else the output (what the cloud holds)."""
        return self.inputs[key] if key in self.inputs else self.outputs.get(key)


@dataclass(frozen=True)
class Step:
    """One entry of ``steps``; ``detailed_diff`` maps a property path to its diff kind."""

    op: str
    urn: str
    old: ResourceState | None
    new: ResourceState | None
    diff_reasons: tuple[str, ...] = ()
    replace_reasons: tuple[str, ...] = ()
    detailed_diff: Mapping[str, str] | None = None

    @property
    def type(self) -> str:
        """The resource's type token (from the state, else from the URN)."""
        for state in (self.new, self.old):
            if state is not None and state.type:
                return state.type
        return urn_parts(self.urn)[2].rsplit("$", 1)[-1]

    @property
    def name(self) -> str:
        """The resource's logical name (the URN's last part)."""
        return urn_parts(self.urn)[3]


@dataclass(frozen=True)
class Diagnostic:
    """One entry of ``diagnostics``."""

    severity: str
    message: str
    urn: str | None


@dataclass(frozen=True)
class PreviewDigest:
    """The whole document; ``stack`` and ``project`` come from the steps' URNs."""

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

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def urn_parts(urn: str) -> tuple[str, str, str, str]:
    """``urn:pulumi:STACK::PROJECT::QUALIFIED-TYPE::NAME`` → its four parts (empty when absent).
    The name is everything after the third ``::`` (a logical name may itself contain ``::``)."""
    body = urn.removeprefix("urn:pulumi:")
    parts = body.split("::", 3) if body != urn else []
    parts += [""] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


# ---- reading ------------------------------------------------------------------------------------
def read_preview(path: Path) -> PreviewDigest:
    """The preview in the file ``path``; :class:`PreviewError` says what is wrong with it."""
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
    """Whether ``text`` is the streamed form (one engine event per line, each with a ``sequence``)."""
    first = text.lstrip().split("\n", 1)[0]
    try:
        event = load_bounded_json(first, BOUNDS)
    except JsonInputError:
        return False
    return isinstance(event, dict) and "sequence" in event and "timestamp" in event


#: What a refusal of the JSON reader adds, by its kind, before the fix.
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
    """The preview held in ``data`` (the bytes of the file)."""
    text = _decode(data)
    try:
        document = load_bounded_json(text, BOUNDS)
    except JsonInputError as exc:
        raise _not_json(text, exc) from None
    return _digest(document)


def _identify(document: Mapping[str, Any]) -> str:
    """What a JSON object that is no preview seems to be, for the message."""
    if {"resources", "dns", "policy"} <= document.keys():
        return "the output of `mta-sts plan --format json`, not of `pulumi preview --json`"
    if "deployment" in document and "version" in document:
        return "a stack export (`pulumi stack export`), not a preview"
    return "not a preview: it has none of the keys " + ", ".join(_DIGEST_KEYS)


def _digest(document: object) -> PreviewDigest:
    if not isinstance(document, dict):
        raise PreviewError(f"is {json_kind(document)} in JSON, not the object `pulumi preview --json` prints: {_SAVE}")
    if not any(key in document for key in _DIGEST_KEYS):
        raise PreviewError(f"is {_identify(document)}: {_SAVE}")
    steps = _list(document, "steps")
    diagnostics = _list(document, "diagnostics")
    return PreviewDigest(
        steps=tuple(_step(item, f"steps[{i}]") for i, item in enumerate(steps)),
        diagnostics=tuple(_diagnostic(item, f"diagnostics[{i}]") for i, item in enumerate(diagnostics)),
        change_summary=_change_summary(document.get("changeSummary")),
        maybe_corrupt=document.get("maybeCorrupt") is True,
    )


# ---- the parts ----------------------------------------------------------------------------------
def _shape(where: str, value: object, expected: str) -> PreviewError:
    return PreviewError(
        f"{where} is {json_kind(value)}, not {expected} as `pulumi preview --json` writes it: the file was changed "
        f"or is not a preview; {_SAVE}"
    )


def _quoted(key: str, limit: int = 60) -> str:
    """A key of the file, as a JSON string (escapes shown), cut to ``limit`` characters."""
    return json.dumps(key if len(key) <= limit else key[:limit] + "…")


def _list(document: Mapping[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _shape(key, value, "an array")
    return value


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _shape(f"{where}.{key}", value, "a string")
    return value


def _strings(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _shape(f"{where}.{key}", value, "an array of strings")
    return tuple(value)


def _object(item: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _shape(f"{where}.{key}", value, "an object")
    return value


def _state(item: Mapping[str, Any], key: str, where: str) -> ResourceState | None:
    state = _object(item, key, where)
    if state is None:
        return None
    place = f"{where}.{key}"
    return ResourceState(
        type=_text(state, "type", place) or "",
        inputs=_object(state, "inputs", place) or {},
        outputs=_object(state, "outputs", place) or {},
    )


def _detailed_diff(item: Mapping[str, Any], where: str) -> dict[str, str] | None:
    diff = _object(item, "detailedDiff", where)
    if diff is None:
        return None
    kinds: dict[str, str] = {}
    for path, entry in diff.items():
        place = f"{where}.detailedDiff[{_quoted(path)}]"
        if not isinstance(entry, dict):
            raise _shape(place, entry, "an object")
        kinds[path] = _text(entry, "kind", place) or "update"
    return kinds


def _step(item: object, where: str) -> Step:
    if not isinstance(item, dict):
        raise _shape(where, item, "an object")
    return Step(
        op=_text(item, "op", where, required=True) or "",
        urn=_text(item, "urn", where, required=True) or "",
        old=_state(item, "oldState", where),
        new=_state(item, "newState", where),
        diff_reasons=_strings(item, "diffReasons", where),
        replace_reasons=_strings(item, "replaceReasons", where),
        detailed_diff=_detailed_diff(item, where),
    )


def _diagnostic(item: object, where: str) -> Diagnostic:
    if not isinstance(item, dict):
        raise _shape(where, item, "an object")
    return Diagnostic(
        severity=_text(item, "severity", where) or "info",
        message=(_text(item, "prefix", where) or "") + (_text(item, "message", where) or ""),
        urn=_text(item, "urn", where) or None,
    )


def _change_summary(value: object) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _shape("changeSummary", value, "an object")
    for op, count in value.items():
        if not isinstance(count, int) or isinstance(count, bool):
            raise _shape(f"changeSummary[{_quoted(op)}]", count, "a number of steps")
    return dict(value)
