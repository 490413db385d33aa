"""A :class:`~.summary.Summary` as text, Markdown or CSV (``reports summary --format``).

Every format is drawn from :meth:`Summary.as_json`, so all of them (and the HTML report) show the
same numbers. Standard library only (the receiver's weekly digest sends the text form).

What senders wrote (organisation names, MX hosts, result types, policy strings, unreadable
sources) is written by the escaping module of each format (:mod:`pulumi_mta_sts.escape`): text
through ``terminal`` (control characters as ``⟨U+XXXX⟩``), Markdown through ``markdown`` (each
cell inert running text), CSV through ``csv`` (no cell starts a formula).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pulumi_mta_sts.escape import csv as csv_escape
from pulumi_mta_sts.escape import markdown, terminal

from .summary import Summary

__all__ = ["CSV_COLUMNS", "FORMATS", "render_summary", "render_summary_json", "views"]

FORMATS = ("text", "markdown", "json", "csv")

#: One CSV table for every view: the ``view`` column says which, the others are filled where they apply.
CSV_COLUMNS = (
    "view",
    "domain",
    "day",
    "organization",
    "result_type",
    "mx_host",
    "ips",
    "policy_type",
    "policy_id",
    "policy_string",
    "first_day",
    "last_day",
    "reports",
    "organizations",
    "successful",
    "failed",
    "success_rate",
)

Row = Sequence[object]


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.2f}%"


def _names(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def _header(data: Mapping[str, Any]) -> str:
    counts = data["reports"]
    period = data["period"]
    days = f"days {period['first_day']} to {period['last_day']}" if period["first_day"] else "no days"
    selected = [
        f"since {period['since']}" if period["since"] else "",
        f"until {period['until']}" if period["until"] else "",
    ]
    domain = (data.get("filter") or {}).get("domain")
    if domain:
        selected.append(f"domain {domain}")
    chosen = ", ".join(s for s in selected if s)
    return (
        f"{counts['counted']} report(s) counted ({counts['read']} read, {counts['duplicates']} duplicate(s), "
        f"{counts['outside_filter']} outside the filter, {counts['unreadable']} unreadable input(s)); {days}"
        + (f" (selected: {chosen})" if chosen else "")
    )


def views(data: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...], list[Row]]]:
    """The tables of the summary: (title, column names, rows), in reading order."""
    out: list[tuple[str, tuple[str, ...], list[Row]]] = [
        (
            "Policy domains",
            ("domain", "successful", "failed", "success rate", "days"),
            [
                (d["domain"], d["successful"], d["failed"], _percent(d["success_rate"]), len(d["days"]))
                for d in data["domains"]
            ],
        )
    ]
    for d in data["domains"]:
        out.append(
            (
                f"Per day: {d['domain']}",
                ("day", "successful", "failed", "organisations"),
                [(day["day"], day["successful"], day["failed"], day["organizations"]) for day in d["days"]],
            )
        )
    out += [
        (
            "Sending organisations",
            ("organisation", "reports", "successful", "failed", "success rate", "domains"),
            [
                (
                    o["organization"],
                    o["reports"],
                    o["successful"],
                    o["failed"],
                    _percent(o["success_rate"]),
                    _names(o["domains"]),
                )
                for o in data["organizations"]
            ],
        ),
        (
            "Result types",
            ("result type", "failed", "first day", "last day", "organisations", "MX hosts"),
            [
                (
                    r["result_type"],
                    r["failed"],
                    r["first_day"],
                    r["last_day"],
                    _names(r["organizations"]),
                    _names(r["mx_hosts"]),
                )
                for r in data["result_types"]
            ],
        ),
        (
            "Receiving MX hosts",
            ("MX host", "successful", "failed", "IPs", "from"),
            [
                (m["mx_host"], m["successful"], m["failed"], _names(m["ips"]), m["source"] or "failure rows")
                for m in data["mx_hosts"]
            ],
        ),
        (
            "Policies senders saw",
            ("domain", "type", "policy id", "first day", "last day", "organisations", "successful", "failed", "policy"),
            [
                (
                    p["domain"],
                    p["policy_type"],
                    p["policy_id"] or "-",
                    p["first_day"],
                    p["last_day"],
                    _names(p["organizations"]),
                    p["successful"],
                    p["failed"],
                    " | ".join(p["policy_string"]) or "-",
                )
                for p in data["policies"]
            ],
        ),
    ]
    return out


def _text_table(title: str, columns: Sequence[str], rows: list[Row]) -> list[str]:
    lines = [title]
    if not rows:
        return [*lines, "  (none)"]
    cells = [[str(c) for c in columns], *[[terminal.shown(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [all(isinstance(row[i], int) for row in rows) for i in range(len(columns))]
    for row in cells:
        parts = [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric, strict=True)]
        lines.append(("  " + "  ".join(parts)).rstrip())
    return lines


def _unreadable(data: Mapping[str, Any]) -> tuple[list[tuple[str, str]], int]:
    """The unreadable inputs named (source, error), and how many more there are."""
    named = data["reports"].get("unreadable_named") or []
    return [(str(item["source"]), str(item["error"])) for item in named], data["reports"]["unreadable"] - len(named)


def _render_text(data: Mapping[str, Any]) -> str:
    lines = ["TLS-RPT summary: " + terminal.shown(_header(data))]
    for title, columns, rows in views(data):
        lines += ["", *_text_table(terminal.shown(title), columns, rows)]
    named, hidden = _unreadable(data)
    unreadable = [f"  {terminal.shown(source)}: {terminal.shown(error)}" for source, error in named]
    unreadable += [f"  ... and {hidden} more"] if hidden > 0 else []
    if unreadable:
        lines += ["", "Unreadable inputs", *unreadable]
    return "\n".join(lines) + "\n"


def _render_markdown(data: Mapping[str, Any]) -> str:
    lines = ["# TLS-RPT summary", "", markdown.text(_header(data))]
    for title, columns, rows in views(data):
        lines += ["", f"## {markdown.text(title)}", ""]
        if not rows:
            lines.append("(none)")
            continue
        lines.append("| " + " | ".join(columns) + " |")
        lines.append(
            "|"
            + "|".join("---:" if all(isinstance(r[i], int) for r in rows) else "---" for i in range(len(columns)))
            + "|"
        )
        lines += ["| " + " | ".join(markdown.text(v) for v in row) + " |" for row in rows]
    named, hidden = _unreadable(data)
    unreadable = [f"- {markdown.text(source)}: {markdown.text(error)}" for source, error in named]
    unreadable += [f"- ... and {hidden} more"] if hidden > 0 else []
    if unreadable:
        lines += ["", "## Unreadable inputs", "", *unreadable]
    return "\n".join(lines) + "\n"


def _csv_rows(data: Mapping[str, Any]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for d in data["domains"]:
        rows.append(
            {
                "view": "domain",
                "domain": d["domain"],
                "successful": d["successful"],
                "failed": d["failed"],
                "success_rate": d["success_rate"],
            }
        )
        rows += [
            {
                "view": "domain_day",
                "domain": d["domain"],
                "day": day["day"],
                "organizations": day["organizations"],
                "successful": day["successful"],
                "failed": day["failed"],
            }
            for day in d["days"]
        ]
    rows += [
        {
            "view": "organization",
            "organization": o["organization"],
            "domain": " ".join(o["domains"]),
            "reports": o["reports"],
            "successful": o["successful"],
            "failed": o["failed"],
            "success_rate": o["success_rate"],
        }
        for o in data["organizations"]
    ]
    rows += [
        {
            "view": "result_type",
            "result_type": r["result_type"],
            "failed": r["failed"],
            "organization": " ".join(r["organizations"]),
            "mx_host": " ".join(r["mx_hosts"]),
            "domain": " ".join(r.get("domains", [])),
            "first_day": r["first_day"],
            "last_day": r["last_day"],
        }
        for r in data["result_types"]
    ]
    rows += [
        {
            "view": "mx_host",
            "mx_host": m["mx_host"],
            "ips": " ".join(m["ips"]),
            "successful": m["successful"],
            "failed": m["failed"],
            "success_rate": m["success_rate"],
        }
        for m in data["mx_hosts"]
    ]
    rows += [
        {
            "view": "policy",
            "domain": p["domain"],
            "policy_type": p["policy_type"],
            "policy_id": p["policy_id"],
            "policy_string": csv_escape.lines_cell(p["policy_string"]),
            "organization": " ".join(p["organizations"]),
            "first_day": p["first_day"],
            "last_day": p["last_day"],
            "successful": p["successful"],
            "failed": p["failed"],
        }
        for p in data["policies"]
    ]
    return rows


def _render_csv(data: Mapping[str, Any]) -> str:
    return csv_escape.table(CSV_COLUMNS, _csv_rows(data))


def render_summary_json(data: Mapping[str, Any], fmt: Literal["text", "markdown", "csv"]) -> str:
    """:func:`render_summary` of an ``as_json()`` object (e.g. one read back from a file)."""
    if fmt == "text":
        return _render_text(data)
    if fmt == "markdown":
        return _render_markdown(data)
    if fmt == "csv":
        return _render_csv(data)
    raise ValueError(f"unknown format {fmt!r}; use one of text, markdown, csv")


def render_summary(summary: Summary, fmt: Literal["text", "markdown", "csv"]) -> str:
    """``summary`` in ``fmt``: ``text`` (aligned tables), ``markdown`` (headings and pipe
    tables) or ``csv`` (one table, a ``view`` column naming each row's view)."""
    return render_summary_json(summary.as_json(), fmt)
