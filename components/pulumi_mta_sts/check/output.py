"""Presenting check results: a compact table per domain (rich; colours only on a terminal)
and the JSON document of ``--json``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import IO

from .model import DomainReport, Status

__all__ = ["render_json", "render_table", "to_json"]

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}


def to_json(reports: Sequence[DomainReport]) -> dict[str, object]:
    """``{"domains": [{"domain", "ok", "checks": [{"id", "status", "detail", "hint"}]}]}``."""
    return {"domains": [r.as_dict() for r in reports]}


def render_json(reports: Sequence[DomainReport]) -> str:
    return json.dumps(to_json(reports), indent=2, ensure_ascii=False)


def summary(report: DomainReport) -> str:
    counts = Counter(c.status for c in report.checks)
    parts = ", ".join(f"{counts[s]} {s.value}" for s in Status)
    return f"{report.domain}: {'OK' if report.ok else 'FAILED'} ({parts})"


def render_table(reports: Sequence[DomainReport], stream: IO[str]) -> None:
    """Write one table per domain to ``stream``; colour only when it is a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False, width=None if stream.isatty() else 160)
    for report in reports:
        table = Table(title=summary(report), title_justify="left", show_header=True, box=None, pad_edge=False)
        table.add_column("status", no_wrap=True)
        table.add_column("check", no_wrap=True)
        table.add_column("detail / hint", overflow="fold")
        for check in report.checks:
            detail = Text(check.detail)
            if check.hint:
                detail.append("\n→ " + check.hint, style="italic")
            table.add_row(Text(check.status.value.upper(), style=_STYLE[check.status]), check.id, detail)
        console.print(table)
        console.print()
