"""A :class:`~.changes.PreviewSummary` as JSON, text or a pull-request comment: errors first (nothing
below them is final), the change as ``mta-sts plan`` shows one, then the rest. Values are shown, never
interpreted (``[secret]`` stays).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from pulumi_mta_sts.change import comment
from pulumi_mta_sts.change.model import PREVIEW, state_json
from pulumi_mta_sts.change.text import change_lines, shown_lines
from pulumi_mta_sts.escape import markdown, terminal
from pulumi_mta_sts.escape.markdown import Block

from .changes import PreviewSummary, ResourceChange
from .document import Diagnostic

_MESSAGE_CHARS: Final = 2000
#: The order counts are listed in: what changes the cloud first, unchanged last.
_OP_ORDER: Final = ("create", "update", "replace", "delete", "import")
_NO_POLICY_CHANGE: Final = "no change in this preview."


def _counts(counts: dict[str, int]) -> str:
    rank = {op: (_OP_ORDER.index(op) if op in _OP_ORDER else len(_OP_ORDER) + (op == "same"), op) for op in counts}
    return ", ".join(f"{counts[op]} {op}" for op in sorted(counts, key=rank.__getitem__))


def _diagnostics(summary: PreviewSummary, severity: str) -> list[Diagnostic]:
    found = summary.digest.diagnostics
    if severity == "info":
        return [d for d in found if d.severity not in ("error", "warning")]
    return [d for d in found if d.severity == severity]


def _totals(summary: PreviewSummary) -> str:
    return _counts(dict(summary.digest.change_summary)) or "none reported"


def _change_json(change: ResourceChange) -> dict[str, Any]:
    return {
        "op": change.op,
        "ops": list(change.ops),
        "resource": change.name,
        "type": change.type,
        "urn": change.urn,
        "name": change.record_part("name", change.name),
        "record_type": change.record_part("type", "?"),
        "old": change.rows("old"),
        "new": change.rows("new"),
        "changed": list(change.changed),
        "replace_reasons": list(change.replace_reasons),
    }


def render_json(summary: PreviewSummary) -> str:
    policy = summary.policy
    changes = policy.old != policy.new
    diff = policy.diff_lines() if changes else None
    diagnostics = [{"severity": d.severity, "message": d.message, "urn": d.urn} for d in summary.digest.diagnostics]
    document = {
        "stack": summary.digest.stack,
        "project": summary.digest.project,
        "failed": summary.failed,
        "errors": [d for d in diagnostics if d["severity"] == "error"],
        "warnings": [d for d in diagnostics if d["severity"] == "warning"],
        "dns": [_change_json(c) for c in summary.dns],
        "dns_unchanged": [_change_json(c) for c in summary.dns_unchanged],
        "policy": {
            "changes": changes,
            "old": state_json(policy.old),
            "new": state_json(policy.new),
            "diff": None if diff is None else "\n".join(diff),
            "hidden": policy.hidden,
            "objects": [{"resource": c.name, "type": c.type, "op": c.op} for c in summary.holders],
        },
        "safety_notes": [note.as_json() for note in summary.notes],
        "other_changes": summary.other_counts,
        "other": [{"op": c.op, "resource": c.name, "type": c.type, "urn": c.urn} for c in summary.other],
        "change_summary": dict(summary.digest.change_summary),
        "maybe_corrupt": summary.digest.maybe_corrupt,
    }
    return terminal.json_text(document)


def _text_diagnostics(items: Sequence[Diagnostic], title: str) -> list[str]:
    lines = [line for item in items for line in terminal.lines(item.message.rstrip("\n")) or [""]]
    return ["", f"{title} ({len(items)}):", *(f"  {line}" for line in lines)] if items else []


def _text_other(summary: PreviewSummary) -> list[str]:
    if not summary.other:
        return ["", "Other changes: none."]
    lines = ["", f"Other changes: {_counts(dict(summary.other_counts))}"]
    return lines + [f"  {c.label():<14} {c.name}  ({c.type})" for c in summary.other]


def render_text(summary: PreviewSummary) -> str:
    lines = [
        f"Preview of stack {summary.digest.stack or '?'}"
        + (f" (project {summary.digest.project})" if summary.digest.project else "")
    ]
    lines += _text_diagnostics(_diagnostics(summary, "error"), "THE PREVIEW FAILED: nothing below is final. Errors")
    lines += ["", *change_lines(summary.change)]
    lines += [] if summary.change.policies else ["", f"Policy: {_NO_POLICY_CHANGE}"]
    lines += _text_other(summary) + _text_diagnostics(_diagnostics(summary, "warning"), "Warnings")
    lines += _text_diagnostics(_diagnostics(summary, "info"), "Program output")
    lines += ["", "Pulumi says one or more resources may be corrupt."] if summary.digest.maybe_corrupt else []
    lines += ["", f"Pulumi's totals: {_totals(summary)}"]
    return shown_lines(lines)


def _message_lines(message: str) -> list[str]:
    text = message.rstrip("\n")
    return terminal.lines(text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…")


def _md_errors(summary: PreviewSummary, level: comment.Level) -> list[Block]:
    errors = _diagnostics(summary, "error")
    if not errors:
        return []
    shown, more = comment.capped(errors, None if level.rows is None else max(level.rows, 3), "errors", PREVIEW)
    caution = Block.kept(
        f"> [!CAUTION]\n> **The preview failed ({len(errors)} error{'s' if len(errors) > 1 else ''})**: "
        "nothing below is final. Fix these first."
    )
    fences = [Block.of(markdown.fence(_message_lines(item.message), "text")) for item in shown]
    return [caution, *fences, *(Block.of(line) for line in more[1:])]


def _md_other(summary: PreviewSummary, level: comment.Level) -> list[Block]:
    if not summary.other:
        return [Block.of("**Other changes**: none.")]
    shown, more = comment.capped(summary.other, level.rows, "resources", PREVIEW)
    rows = ["| | resource | type |", "|---|---|---|"]
    rows += [
        f"| {markdown.text(c.label().strip(), level.cell)} | {markdown.cell(c.name, level.cell)} | "
        f"{markdown.cell(c.type, level.cell)} |"
        for c in shown
    ]
    return [
        Block.of(f"**Other changes**: {markdown.text(_counts(dict(summary.other_counts)))}"),
        Block.of(comment.details(f"{len(summary.other)} other resources", rows + more)),
    ]


def _md_diagnostics(items: Sequence[Diagnostic], title: str, level: comment.Level) -> list[Block]:
    if not items:
        return []
    shown, more = comment.capped(items, level.rows, title.lower(), PREVIEW)
    body = markdown.fence([line for d in shown for line in _message_lines(d.message)], "text")
    return [Block.of(comment.details(f"{title} ({len(items)})", [body, *more]))]


def _blocks(summary: PreviewSummary, level: comment.Level) -> list[Block]:
    """Kept what a reviewer must never miss (heading, failure, DNS counts, policy id, safety notes)."""
    change = summary.change
    blocks = [Block.kept(f"### MTA-STS preview: {markdown.code(summary.digest.stack or '?', 100)}")]
    blocks += _md_errors(summary, level) + comment.notes_block(change) + comment.records_blocks(change, level)
    blocks += comment.policies_blocks(change, level) or [Block.kept(f"**Policy**: {_NO_POLICY_CHANGE}")]
    blocks += _md_other(summary, level) + _md_diagnostics(_diagnostics(summary, "warning"), "Warnings", level)
    blocks += _md_diagnostics(_diagnostics(summary, "info"), "Program output", level)
    if summary.digest.maybe_corrupt:
        blocks.append(Block.kept("> [!WARNING]\n> Pulumi says one or more resources may be corrupt."))
    return [*blocks, Block.of(f"<sub>Pulumi's totals: {markdown.text(_totals(summary))}</sub>")]


def render_markdown(summary: PreviewSummary, limit: int = comment.COMMENT_BUDGET) -> str:
    return comment.fit_comment(lambda level: _blocks(summary, level), limit, PREVIEW)


RENDERERS: Final[dict[str, Callable[[PreviewSummary], str]]] = {
    "markdown": render_markdown,
    "text": render_text,
    "json": render_json,
}
