"""Check results as a table per domain (rich, colours on a terminal) and as JSON; what DNS and
servers said reaches rich only as ``Text`` of :func:`~pulumi_mta_sts.escape.terminal.shown`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import IO

from pulumi_mta_sts.escape import terminal

from .model import DomainReport, Status

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}


def render_json(reports: Sequence[DomainReport]) -> str:
    """``{"domains": [{"domain", "ok", "checks": [{"id", "status", "detail", "hint"}]}]}``."""
    return terminal.json_text({"domains": [r.as_dict() for r in reports]})


def render_table(reports: Sequence[DomainReport], stream: IO[str]) -> None:
    """Write one table per domain to ``stream``; colour only when it is a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False, width=None if stream.isatty() else 160)
    for report in reports:
        counts = Counter(c.status for c in report.checks)
        parts = ", ".join(f"{counts[s]} {s.value}" for s in Status)
        title = Text(terminal.shown(f"{report.domain}: {'OK' if report.ok else 'FAILED'} ({parts})"))
        table = Table(title=title, title_justify="left", show_header=True, box=None, pad_edge=False)
        table.add_column("status", no_wrap=True)
        table.add_column("check", no_wrap=True)
        table.add_column("detail / hint", overflow="fold")
        for check in report.checks:
            detail = Text(terminal.shown(check.detail))
            if check.hint:
                detail.append("\n→ " + terminal.shown(check.hint), style="italic")
            status = Text(check.status.value.upper(), style=_STYLE[check.status])
            table.add_row(status, Text(terminal.shown(check.id)), detail)
        console.print(table)
        console.print()
