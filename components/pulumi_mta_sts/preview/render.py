"""A :class:`~.changes.PreviewSummary` as Markdown (a pull-request comment), text or JSON.

Order: the preview's errors first (nothing below them is final), then the DNS records (name,
type, old → new), the policy's diff and id, the safety notes, then counts of everything else.
Values from the preview are shown, never interpreted: ``[secret]`` stays ``[secret]``, control
characters are escaped, and in Markdown every value sits in ``<code>`` with HTML escaped, so a
record cannot inject markup, mentions or links into the comment. Markdown stays under GitHub's
comment limit (65,536 characters): long lists are shortened until it fits, saying how many
entries were left out.
"""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from pulumi_mta_sts.core.policy_change import SafetyNote

from .changes import Change, PolicyChange, PreviewSummary
from .digest import Diagnostic

__all__ = ["MARKDOWN_LIMIT", "OP_SYMBOLS", "policy_diff", "render_json", "render_markdown", "render_text"]

#: GitHub refuses a comment body over 65,536 characters; room is left for a heading and marker.
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
_DIFF_LINES: Final = 200
_LEVEL_LABELS: Final = {"danger": "DANGER", "warning": "warning", "info": "info"}


# ---- shared pieces ------------------------------------------------------------------------------
def printable(text: str, limit: int | None = None, *, newlines: bool = False) -> str:
    """``text`` with control characters escaped (a value cannot move a terminal's cursor or
    break a table), cut at ``limit`` characters with a mark saying so."""
    out = []
    for char in text:
        if (char == "\n" and newlines) or char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    cleaned = "".join(out)
    if limit is not None and len(cleaned) > limit:
        return cleaned[:limit] + f"… ({len(cleaned) - limit} more characters)"
    return cleaned


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
    return json.dumps(document, indent=2, ensure_ascii=False)


# ---- text ---------------------------------------------------------------------------------------
def _text_values(prefix: str, values: list[str] | None) -> list[str]:
    if values is None:
        return []
    return [f"      {prefix} {printable(v)}" for v in values] or [f"      {prefix} (no value)"]


def _text_dns(changes: Sequence[Change], title: str) -> list[str]:
    if not changes:
        return []
    lines = [f"{title} ({len(changes)}):"]
    for change in changes:
        lines.append(f"  {_op_label(change):<14} {printable(_record_name(change))}  {printable(_record_type(change))}")
        if change.op not in ("same", "read", "refresh"):
            lines += _text_values("-", _values(change, "old")) + _text_values("+", _values(change, "new"))
    return lines


def _text_policy(summary: PreviewSummary) -> list[str]:
    policy = summary.policy
    if not policy.changes:
        return ["Policy: no change in this preview."]
    lines = [f"Policy: {printable(_id_line(policy))}"]
    if policy.objects:
        lines.append(f"  held by: {printable(_holders(policy))}")
    diff = policy_diff(policy)
    if policy.hidden:
        lines.append("  the policy object's content is [secret] in the preview: its diff is not shown")
    if diff:
        lines += [f"  {printable(line)}" for line in diff.splitlines()]
    return lines


def _text_diagnostics(items: Sequence[Diagnostic], title: str) -> list[str]:
    if not items:
        return []
    lines = [f"{title} ({len(items)}):"]
    for item in items:
        lines += [f"  {printable(line)}" for line in item.message.rstrip("\n").splitlines() or [""]]
    return lines


def _text_notes(notes: Sequence[SafetyNote]) -> list[str]:
    if not notes:
        return []
    return ["What this means for senders:"] + [
        f"  [{_LEVEL_LABELS[n.level]}] {n.code}: {printable(n.message)}" for n in notes
    ]


def _text_other(summary: PreviewSummary) -> list[str]:
    if not summary.other:
        return ["Other changes: none."]
    lines = [f"Other changes: {_counts(dict(summary.other_counts)) or 'none'}"]
    lines += [f"  {_op_label(c):<14} {printable(c.name)}  ({printable(c.type)})" for c in summary.other]
    return lines


def render_text(summary: PreviewSummary) -> str:
    """Plain text for a terminal or a log."""
    heading = f"Preview of stack {summary.stack or '?'}" + (f" (project {summary.project})" if summary.project else "")
    lines = [printable(heading)]
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
    lines.append(f"Pulumi's totals: {_totals(summary)}")
    return "\n".join(lines) + "\n"


# ---- Markdown -----------------------------------------------------------------------------------
def code(text: str, limit: int = _CELL_CHARS) -> str:
    """``text`` as inline code safe in a table cell: HTML escaped, pipes and newlines neutral."""
    escaped = html.escape(printable(text, limit), quote=False).replace("|", "&#124;")
    return f"<code>{escaped}</code>"


def _fence(text: str, language: str = "") -> str:
    """A fenced block whose fence is longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in text.split("\n") for run in _backtick_runs(run)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _backtick_runs(line: str) -> Iterable[str]:
    run = ""
    for char in line:
        if char == "`":
            run += char
        elif run:
            yield run
            run = ""
    if run:
        yield run


def _cell_values(values: list[str] | None, gone: str) -> str:
    if values is None:
        return gone
    return "<br>".join(code(v) for v in values) or "(no value)"


def _capped(items: Sequence[Any], cap: int | None) -> tuple[Sequence[Any], int]:
    if cap is None or len(items) <= cap:
        return items, 0
    return items[:cap], len(items) - cap


def _more(left: int, what: str) -> list[str]:
    if not left:
        return []
    return ["", f"_… and {left} more {what}, left out to fit a comment: run `mta-sts preview-diff` on the preview._"]


def _md_dns_table(changes: Sequence[Change], cap: int | None) -> list[str]:
    shown, left = _capped(changes, cap)
    lines = ["| | record | type | now | after `pulumi up` |", "|---|---|---|---|---|"]
    for change in shown:
        cells = [
            html.escape(_op_label(change), quote=False),
            code(_record_name(change)),
            code(_record_type(change)),
            _cell_values(_values(change, "old"), "—"),
            _cell_values(_values(change, "new"), "— (deleted)" if change.op == "delete" else "—"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + _more(left, "DNS changes")


def _md_errors(summary: PreviewSummary, cap: int | None) -> list[str]:
    errors = _diagnostics(summary, "error")
    if not errors:
        return []
    shown, left = _capped(errors, None if cap is None else max(cap, 3))
    lines = [
        f"> [!CAUTION]\n> **The preview failed ({len(errors)} error{'s' if len(errors) > 1 else ''})**: "
        "nothing below is final. Fix these first.",
        "",
    ]
    for item in shown:
        lines += [_fence(printable(item.message.rstrip("\n"), _MESSAGE_CHARS, newlines=True), "text"), ""]
    return lines[:-1] + _more(left, "errors")


def _md_policy(summary: PreviewSummary) -> list[str]:
    policy = summary.policy
    if not policy.changes:
        return ["**Policy**: no change in this preview."]
    lines = [f"**Policy**: {code(_id_line(policy), 200)}"]
    if policy.objects:
        lines += ["", f"Held by: {code(_holders(policy), 1000)}"]
    if policy.hidden:
        lines += ["", "The policy object's content is `[secret]` in the preview: its diff is not shown."]
    diff = policy_diff(policy)
    if diff:
        diff_lines = diff.splitlines()
        shown = diff_lines[:_DIFF_LINES]
        body = "\n".join(printable(line, _CELL_CHARS) for line in shown)
        lines += ["", _fence(body, "diff"), *_more(len(diff_lines) - len(shown), "diff lines")]
    return lines


def _md_notes(notes: Sequence[SafetyNote]) -> list[str]:
    if not notes:
        return []
    lines = ["**What this means for senders**", ""]
    for note in notes:
        label = _LEVEL_LABELS[note.level]
        lines.append(
            f"- **{label}** `{note.code}`: {html.escape(printable(note.message, _MESSAGE_CHARS), quote=False)}"
        )
    return lines


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def _md_other(summary: PreviewSummary, cap: int | None) -> list[str]:
    if not summary.other:
        return ["**Other changes**: none."]
    shown, left = _capped(summary.other, cap)
    rows = ["| | resource | type |", "|---|---|---|"]
    rows += [f"| {html.escape(_op_label(c), quote=False)} | {code(c.name)} | {code(c.type)} |" for c in shown]
    counts = _counts(dict(summary.other_counts)) or "nothing changes"
    return [
        f"**Other changes**: {html.escape(counts, quote=False)}",
        "",
        *_details(f"{len(summary.other)} other resources", rows + _more(left, "resources")),
    ]


def _md_diagnostics(items: Sequence[Diagnostic], title: str, cap: int | None) -> list[str]:
    if not items:
        return []
    shown, left = _capped(items, cap)
    body = "\n".join(printable(d.message.rstrip("\n"), _MESSAGE_CHARS, newlines=True) for d in shown)
    return _details(f"{title} ({len(items)})", [_fence(body, "text"), *_more(left, title.lower())])


def _md_unchanged(summary: PreviewSummary, cap: int | None) -> list[str]:
    if not summary.dns_unchanged:
        return []
    return _details(f"Unchanged DNS records ({len(summary.dns_unchanged)})", _md_dns_table(summary.dns_unchanged, cap))


def _markdown(summary: PreviewSummary, cap: int | None) -> str:
    heading = f"### MTA-STS preview: {code(summary.stack or '?', 100)}"
    dns = summary.dns
    parts: list[list[str]] = [
        [heading],
        _md_errors(summary, cap),
        [f"**DNS**: {len(dns)} change{'s' if len(dns) != 1 else ''}", ""] + (_md_dns_table(dns, cap) if dns else []),
        _md_policy(summary),
        _md_notes(summary.notes),
        _md_other(summary, cap),
        _md_unchanged(summary, cap),
        _md_diagnostics(_diagnostics(summary, "warning"), "Warnings", cap),
        _md_diagnostics(_diagnostics(summary, "info"), "Program output", cap),
        ["> [!WARNING]\n> Pulumi says one or more resources may be corrupt."] if summary.digest.maybe_corrupt else [],
        [f"<sub>Pulumi's totals: {html.escape(_totals(summary), quote=False)}</sub>"],
    ]
    return "\n\n".join("\n".join(part) for part in parts if part) + "\n"


def render_markdown(summary: PreviewSummary, limit: int = MARKDOWN_LIMIT) -> str:
    """Markdown for a pull-request comment, at most ``limit`` characters: lists are shortened
    (saying how many entries were left out) until it fits."""
    text = ""
    for cap in (None, 200, 50, 20, 5, 1, 0):
        text = _markdown(summary, cap)
        if len(text) <= limit:
            return text
    note = "\n\n_… cut to fit a comment: run `mta-sts preview-diff` on the preview._\n"
    return text[: limit - len(note)] + note


RENDERERS: Final[dict[str, Callable[[PreviewSummary], str]]] = {
    "markdown": render_markdown,
    "text": render_text,
    "json": render_json,
}
