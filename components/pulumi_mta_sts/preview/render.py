"""A :class:`~.changes.PreviewSummary` as Markdown (a pull-request comment), text or JSON.

Order: the preview's errors first (nothing below them is final), then the DNS records (name,
type, old → new), the policy's diff and id, the safety notes, then counts of everything else.
Values from the preview are shown, never interpreted: ``[secret]`` stays ``[secret]``; in text a
control character is ``⟨U+XXXX⟩`` (:mod:`pulumi_mta_sts.escape.terminal`), and in Markdown every
value is written by :mod:`pulumi_mta_sts.escape.markdown` (a code span or escaped text), so a
record cannot inject markup, mentions or links into the comment. Markdown stays within
:data:`MARKDOWN_LIMIT` UTF-8 bytes, under GitHub's comment limit (65,536 characters): long lists
and the diff are shortened until it fits, saying how many entries were left out; the safety
notes, the heading, the preview's failure and the policy id are never left out
(:func:`pulumi_mta_sts.escape.markdown.fit`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any, Final

from pulumi_mta_sts.core.policy_change import SafetyNote
from pulumi_mta_sts.escape import markdown, terminal
from pulumi_mta_sts.escape.markdown import Block

from .changes import Change, PolicyChange, PreviewSummary
from .digest import Diagnostic

__all__ = ["MARKDOWN_LIMIT", "OP_SYMBOLS", "policy_diff", "render_json", "render_markdown", "render_text"]

#: GitHub refuses a comment body over 65,536 characters; room is left for a heading and marker (UTF-8 bytes).
MARKDOWN_LIMIT: Final = 60_000
#: The symbols the Pulumi CLI shows for each op.
OP_SYMBOLS: Final = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    "read": ">",
    "import": "=",
    "same": " ",
}
_CELL_CHARS: Final = 300
_MESSAGE_CHARS: Final = 2000
#: Characters of a note's message in the shortened form of the notes.
_SHORT_MESSAGE: Final = 300
_DIFF_LINES: Final = 200
_LEVEL_LABELS: Final = {"danger": "DANGER", "warning": "warning", "info": "info"}


# ---- shared pieces ------------------------------------------------------------------------------
#: The order counts are listed in: what changes the cloud first, unchanged last.
_OP_ORDER: Final = ("create", "update", "replace", "delete", "import")


def _op_rank(op: str) -> tuple[int, str]:
    return (_OP_ORDER.index(op) if op in _OP_ORDER else len(_OP_ORDER) + (op == "same"), op)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[op]} {op}" for op in sorted(counts, key=_op_rank))


def _holders(policy: PolicyChange) -> str:
    return ", ".join(f"{c.name} ({OP_SYMBOLS.get(c.op, '?')} {c.op})" for c in policy.objects)


def _record_name(change: Change) -> str:
    names = [rows[0]["name"] for rows in (change.rows("old"), change.rows("new")) if rows and rows[0]["name"]]
    if len(names) == 2 and names[0] != names[1]:
        return f"{names[0]} → {names[1]}"
    return names[-1] if names else change.name


def _record_type(change: Change) -> str:
    types = [rows[0]["type"] for rows in (change.rows("old"), change.rows("new")) if rows and rows[0]["type"]]
    if len(types) == 2 and types[0] != types[1]:
        return f"{types[0]} → {types[1]}"
    return types[-1] if types else "?"


def _values(change: Change, which: str) -> list[str] | None:
    rows = change.rows(which)
    return None if rows is None else [row["value"] for row in rows]


def policy_diff(policy: PolicyChange) -> str | None:
    """The unified diff of the policy body (``None`` when there is none to show: no body on
    either side, or one side hidden as ``[secret]``)."""
    old, new = policy.old.text, policy.new.text
    if (old is None and new is None) or policy.hidden:
        return None
    lines = difflib.unified_diff(
        (old or "").splitlines(), (new or "").splitlines(), "policy now", "policy after", lineterm="", n=10
    )
    return "\n".join(lines)


def _op_label(change: Change) -> str:
    label = f"{OP_SYMBOLS.get(change.op, '?')} {change.op}"
    if change.op == "replace" and change.replace_reasons:
        label += f" ({', '.join(change.replace_reasons)})"
    return label


def _id_line(policy: PolicyChange) -> str:
    old, new = policy.old.id, policy.new.id
    if old == new:
        return f"id {old} (unchanged)" if old else "id unknown"
    return f"id {old or '(none)'} → {new or '(none)'}"


def _diagnostics(summary: PreviewSummary, severity: str) -> list[Diagnostic]:
    if severity == "info":
        return [d for d in summary.digest.diagnostics if d.severity not in ("error", "warning")]
    return [d for d in summary.digest.diagnostics if d.severity == severity]


def _totals(summary: PreviewSummary) -> str:
    totals = summary.digest.change_summary
    return _counts(dict(totals)) if totals else "none reported"


# ---- JSON ---------------------------------------------------------------------------------------
def _change_json(change: Change) -> dict[str, Any]:
    return {
        "op": change.op,
        "ops": list(change.ops),
        "resource": change.name,
        "type": change.type,
        "urn": change.urn,
        "name": _record_name(change),
        "record_type": _record_type(change),
        "old": change.rows("old"),
        "new": change.rows("new"),
        "changed": list(change.changed),
        "replace_reasons": list(change.replace_reasons),
    }


def _policy_json(policy: PolicyChange) -> dict[str, Any]:
    return {
        "changes": policy.changes,
        "old": {"text": policy.old.text, "id": policy.old.id},
        "new": {"text": policy.new.text, "id": policy.new.id},
        "diff": policy_diff(policy) if policy.changes else None,
        "hidden": policy.hidden,
        "objects": [{"resource": c.name, "type": c.type, "op": c.op} for c in policy.objects],
    }


def render_json(summary: PreviewSummary) -> str:
    """One JSON document (keys in docs/cli.md)."""
    diagnostics = [{"severity": d.severity, "message": d.message, "urn": d.urn} for d in summary.digest.diagnostics]
    document = {
        "stack": summary.stack,
        "project": summary.project,
        "failed": summary.failed,
        "errors": [d for d in diagnostics if d["severity"] == "error"],
        "warnings": [d for d in diagnostics if d["severity"] == "warning"],
        "dns": [_change_json(c) for c in summary.dns],
        "dns_unchanged": [_change_json(c) for c in summary.dns_unchanged],
        "policy": _policy_json(summary.policy),
        "safety_notes": [note.as_json() for note in summary.notes],
        "other_changes": summary.other_counts,
        "other": [{"op": c.op, "resource": c.name, "type": c.type, "urn": c.urn} for c in summary.other],
        "change_summary": dict(summary.digest.change_summary),
        "maybe_corrupt": summary.digest.maybe_corrupt,
    }
    return terminal.json_text(document)


# ---- text ---------------------------------------------------------------------------------------
def _text_values(prefix: str, values: list[str] | None) -> list[str]:
    if values is None:
        return []
    return [f"      {prefix} {terminal.shown(v)}" for v in values] or [f"      {prefix} (no value)"]


def _text_dns(changes: Sequence[Change], title: str) -> list[str]:
    if not changes:
        return []
    lines = [f"{title} ({len(changes)}):"]
    for change in changes:
        name, kind = terminal.shown(_record_name(change)), terminal.shown(_record_type(change))
        lines.append(f"  {terminal.shown(_op_label(change)):<14} {name}  {kind}")
        if change.op not in ("same", "read", "refresh"):
            lines += _text_values("-", _values(change, "old")) + _text_values("+", _values(change, "new"))
    return lines


def _text_policy(summary: PreviewSummary) -> list[str]:
    policy = summary.policy
    if not policy.changes:
        return ["Policy: no change in this preview."]
    lines = [f"Policy: {terminal.shown(_id_line(policy))}"]
    if policy.objects:
        lines.append(f"  held by: {terminal.shown(_holders(policy))}")
    diff = policy_diff(policy)
    if policy.hidden:
        lines.append("  the policy object's content is [secret] in the preview: its diff is not shown")
    if diff:
        lines += [f"  {line}" for line in terminal.lines(diff)]
    return lines


def _text_diagnostics(items: Sequence[Diagnostic], title: str) -> list[str]:
    if not items:
        return []
    lines = [f"{title} ({len(items)}):"]
    for item in items:
        lines += [f"  {line}" for line in terminal.lines(item.message.rstrip("\n")) or [""]]
    return lines


def _text_notes(notes: Sequence[SafetyNote]) -> list[str]:
    if not notes:
        return []
    return ["What this means for senders:"] + [
        f"  [{_LEVEL_LABELS[n.level]}] {n.code}: {terminal.shown(n.message)}" for n in notes
    ]


def _text_other(summary: PreviewSummary) -> list[str]:
    if not summary.other:
        return ["Other changes: none."]
    lines = [f"Other changes: {terminal.shown(_counts(dict(summary.other_counts))) or 'none'}"]
    lines += [
        f"  {terminal.shown(_op_label(c)):<14} {terminal.shown(c.name)}  ({terminal.shown(c.type)})"
        for c in summary.other
    ]
    return lines


def render_text(summary: PreviewSummary) -> str:
    """Plain text for a terminal or a log (every value through :mod:`~pulumi_mta_sts.escape.terminal`)."""
    heading = f"Preview of stack {summary.stack or '?'}" + (f" (project {summary.project})" if summary.project else "")
    lines = [terminal.shown(heading)]
    errors = _diagnostics(summary, "error")
    if errors:
        lines += _text_diagnostics(errors, "THE PREVIEW FAILED: nothing below is final. Errors")
    lines += _text_dns(summary.dns, "DNS changes") or ["DNS changes: none."]
    lines += _text_policy(summary) + _text_notes(summary.notes) + _text_other(summary)
    lines += _text_dns(summary.dns_unchanged, "Unchanged DNS records")
    lines += _text_diagnostics(_diagnostics(summary, "warning"), "Warnings")
    lines += _text_diagnostics(_diagnostics(summary, "info"), "Program output")
    if summary.digest.maybe_corrupt:
        lines.append("Pulumi says one or more resources may be corrupt.")
    lines.append(f"Pulumi's totals: {terminal.shown(_totals(summary))}")
    return "\n".join(lines) + "\n"


# ---- Markdown -----------------------------------------------------------------------------------
#: How many entries each list shows, level by level, until the comment fits (``None``: all).
_CAPS: Final = (None, 200, 50, 20, 5, 1, 0)


def _message_lines(message: str) -> list[str]:
    """A diagnostic's message as lines for a fenced block, at most :data:`_MESSAGE_CHARS` characters."""
    text = message.rstrip("\n")
    if len(text) > _MESSAGE_CHARS:
        text = text[: _MESSAGE_CHARS - 1] + "…"
    return terminal.lines(text)


def _cell_values(values: list[str] | None, gone: str) -> str:
    if values is None:
        return gone
    return "<br>".join(markdown.cell(v, _CELL_CHARS) for v in values) or "(no value)"


def _capped(items: Sequence[Any], cap: int | None) -> tuple[Sequence[Any], int]:
    if cap is None or len(items) <= cap:
        return items, 0
    return items[:cap], len(items) - cap


def _more(left: int, what: str) -> list[str]:
    if not left:
        return []
    return ["", f"_… and {left} more {what}, left out to fit a comment: run `mta-sts preview-diff` on the preview._"]


def _md_dns_table(changes: Sequence[Change], cap: int | None) -> str:
    shown, left = _capped(changes, cap)
    lines = ["| | record | type | now | after `pulumi up` |", "|---|---|---|---|---|"]
    for change in shown:
        cells = [
            markdown.text(_op_label(change).strip(), _CELL_CHARS),
            markdown.cell(_record_name(change), _CELL_CHARS),
            markdown.cell(_record_type(change), _CELL_CHARS),
            _cell_values(_values(change, "old"), "—"),
            _cell_values(_values(change, "new"), "— (deleted)" if change.op == "delete" else "—"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines + _more(left, "DNS changes"))


def _md_errors(summary: PreviewSummary, cap: int | None) -> list[Block]:
    """That the preview failed (kept: nothing below is final), then each error."""
    errors = _diagnostics(summary, "error")
    if not errors:
        return []
    shown, left = _capped(errors, None if cap is None else max(cap, 3))
    caution = Block.kept(
        f"> [!CAUTION]\n> **The preview failed ({len(errors)} error{'s' if len(errors) > 1 else ''})**: "
        "nothing below is final. Fix these first."
    )
    fences = [Block.of(markdown.fence(_message_lines(item.message), "text")) for item in shown]
    more = _more(left, "errors")
    return [caution, *fences, *([Block.of(more[-1])] if more else [])]


def _diff_lines(cap: int | None) -> int:
    return _DIFF_LINES if cap is None else min(_DIFF_LINES, 2 * cap)


def _md_policy(summary: PreviewSummary, cap: int | None) -> list[Block]:
    """The id line (kept), who holds the policy, and its diff."""
    policy = summary.policy
    if not policy.changes:
        return [Block.kept("**Policy**: no change in this preview.")]
    blocks = [Block.kept(f"**Policy**: {markdown.code(_id_line(policy), 200)}")]
    if policy.objects:
        blocks.append(Block.of(f"Held by: {markdown.code(_holders(policy), 1000)}"))
    if policy.hidden:
        blocks.append(Block.of("The policy object's content is `[secret]` in the preview: its diff is not shown."))
    diff = policy_diff(policy)
    if diff:
        diff_lines = diff.splitlines()
        shown = diff_lines[: _diff_lines(cap)]
        body = markdown.fence(shown, "diff", _CELL_CHARS) if shown else ""
        blocks.append(Block.of("\n".join([body, *_more(len(diff_lines) - len(shown), "diff lines")]).strip("\n")))
    return blocks


def _md_notes(notes: Sequence[SafetyNote]) -> list[Block]:
    """The safety notes, kept whatever the size: in full, with shortened messages, then level
    and code only."""
    if not notes:
        return []
    title = "**What this means for senders**\n\n"
    shortened = "\n\n_Messages shortened to fit a comment: run `mta-sts preview-diff --format json` on the preview._"

    def form(message: int | None) -> str:
        return title + "\n".join(
            f"- **{_LEVEL_LABELS[n.level]}** {markdown.code(n.code)}"
            + (f": {markdown.text(n.message, message)}" if message != 0 else "")
            for n in notes
        )

    return [Block.kept(form(_MESSAGE_CHARS), form(_SHORT_MESSAGE) + shortened, form(0) + shortened)]


def _details(summary: str, body: list[str]) -> str:
    return "\n".join(["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"])


def _md_other(summary: PreviewSummary, cap: int | None) -> list[Block]:
    if not summary.other:
        return [Block.of("**Other changes**: none.")]
    shown, left = _capped(summary.other, cap)
    rows = ["| | resource | type |", "|---|---|---|"]
    rows += [
        f"| {markdown.text(_op_label(c).strip(), _CELL_CHARS)} | {markdown.cell(c.name, _CELL_CHARS)} | "
        f"{markdown.cell(c.type, _CELL_CHARS)} |"
        for c in shown
    ]
    counts = _counts(dict(summary.other_counts)) or "nothing changes"
    return [
        Block.of(f"**Other changes**: {markdown.text(counts)}"),
        Block.of(_details(f"{len(summary.other)} other resources", rows + _more(left, "resources"))),
    ]


def _md_diagnostics(items: Sequence[Diagnostic], title: str, cap: int | None) -> list[Block]:
    if not items:
        return []
    shown, left = _capped(items, cap)
    body = markdown.fence([line for d in shown for line in _message_lines(d.message)], "text")
    return [Block.of(_details(f"{title} ({len(items)})", [body, *_more(left, title.lower())]))]


def _md_unchanged(summary: PreviewSummary, cap: int | None) -> list[Block]:
    if not summary.dns_unchanged:
        return []
    title = f"Unchanged DNS records ({len(summary.dns_unchanged)})"
    return [Block.of(_details(title, [_md_dns_table(summary.dns_unchanged, cap)]))]


def _blocks(summary: PreviewSummary, cap: int | None) -> list[Block]:
    """The comment with every list shortened to ``cap`` entries: kept what a reviewer must
    never miss (heading, failure, counts, policy id, safety notes), the rest droppable."""
    dns = summary.dns
    blocks = [Block.kept(f"### MTA-STS preview: {markdown.code(summary.stack or '?', 100)}")]
    blocks += _md_errors(summary, cap)
    blocks.append(Block.kept(f"**DNS**: {len(dns)} change{'s' if len(dns) != 1 else ''}"))
    blocks += [Block.of(_md_dns_table(dns, cap))] if dns else []
    blocks += _md_policy(summary, cap) + _md_notes(summary.notes) + _md_other(summary, cap)
    blocks += _md_unchanged(summary, cap)
    blocks += _md_diagnostics(_diagnostics(summary, "warning"), "Warnings", cap)
    blocks += _md_diagnostics(_diagnostics(summary, "info"), "Program output", cap)
    if summary.digest.maybe_corrupt:
        blocks.append(Block.kept("> [!WARNING]\n> Pulumi says one or more resources may be corrupt."))
    return [*blocks, Block.of(f"<sub>Pulumi's totals: {markdown.text(_totals(summary))}</sub>")]


def _cut_note(left_out: int, notes_cut: bool) -> str:
    what = f"{left_out} more parts left out" if left_out else "shortened"
    notes = " and the list of safety notes cut" if notes_cut else ""
    return f"_… {what}{notes} to fit a comment: run `mta-sts preview-diff` on the preview._"


def render_markdown(summary: PreviewSummary, limit: int = MARKDOWN_LIMIT) -> str:
    """Markdown for a pull-request comment, at most ``limit`` UTF-8 bytes: lists are shortened
    (saying how many entries were left out) until it fits, then whole parts are left out; the
    safety notes never are."""
    return markdown.fit_levels(lambda cap: _blocks(summary, cap), _CAPS, limit - 1, _cut_note) + "\n"


RENDERERS: Final[dict[str, Callable[[PreviewSummary], str]]] = {
    "markdown": render_markdown,
    "text": render_text,
    "json": render_json,
}
