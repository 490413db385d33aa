"""A :class:`~.summary.Summary` as text, Markdown or CSV (``reports summary --format``), all drawn from
one table model (:func:`tables`); what senders wrote goes through each format's escaping module."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_mta_sts.escape import csv as csv_escape
from pulumi_mta_sts.escape import markdown, terminal

from .summary import Summary

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


def _names(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


@dataclass(frozen=True)
class Column:
    """A column: header (``None``: CSV only), key, CSV name (``""``: the key; ``None``: none), formats."""

    header: str | None
    key: str
    csv: str | None = ""
    shown: Callable[[Any], object] = lambda value: value
    csv_value: Callable[[Any], object] = lambda value: value


class View:
    """A view: title (``{domain}`` filled in), name in the CSV's ``view`` column, the summary's list, columns."""

    def __init__(self, title: str, csv: str, key: str, *columns: Column) -> None:
        self.title, self.csv, self.key, self.columns = title, csv, key, columns


_DOMAIN = Column("domain", "domain")
_DAY = Column("day", "day")
_OK = Column("successful", "successful")
_FAILED = Column("failed", "failed")
_RATE = Column("success rate", "success_rate", shown=lambda rate: "-" if rate is None else f"{rate * 100:.2f}%")
_FIRST = Column("first day", "first_day")
_LAST = Column("last day", "last_day")
_DAYS_COUNT = Column("days", "days", None, len)
_DAY_DOMAIN = Column(None, "domain")
_DAY_ORGS = Column("organisations", "organizations")
_ORG = Column("organisation", "organization")
_REPORTS = Column("reports", "reports")
_ORGS = Column("organisations", "organizations", "organization", _names, " ".join)
_DOMAINS = Column("domains", "domains", "domain", _names, " ".join)
_RESULT = Column("result type", "result_type")
_MX_HOSTS = Column("MX hosts", "mx_hosts", "mx_host", _names, " ".join)
_CSV_DOMAINS = Column(None, "domains", "domain", csv_value=" ".join)
_MX = Column("MX host", "mx_host")
_IPS = Column("IPs", "ips", "", _names, " ".join)
_SOURCE = Column("from", "source", None, lambda source: source or "failure rows")
_CSV_RATE = Column(None, "success_rate")
_TYPE = Column("type", "policy_type")
_ID = Column("policy id", "policy_id", "", lambda policy_id: policy_id or "-")
_LINES = Column("policy", "policy_string", "", lambda lines: " | ".join(lines) or "-", csv_escape.lines_cell)

_DOMAIN_VIEW = View("Policy domains", "domain", "domains", _DOMAIN, _OK, _FAILED, _RATE, _DAYS_COUNT)
_DAYS = View("Per day: {domain}", "domain_day", "days", _DAY_DOMAIN, _DAY, _OK, _FAILED, _DAY_ORGS)
_AFTER_DAYS = (
    View("Sending organisations", "organization", "organizations", _ORG, _REPORTS, _OK, _FAILED, _RATE, _DOMAINS),
    View(
        "Result types", "result_type", "result_types", _RESULT, _FAILED, _FIRST, _LAST, _ORGS, _MX_HOSTS, _CSV_DOMAINS
    ),
    View("Receiving MX hosts", "mx_host", "mx_hosts", _MX, _OK, _FAILED, _IPS, _SOURCE, _CSV_RATE),
    View("Policies senders saw", "policy", "policies", _DOMAIN, _TYPE, _ID, _FIRST, _LAST, _ORGS, _OK, _FAILED, _LINES),
)


@dataclass(frozen=True)
class Table:
    title: str
    view: View
    rows: Sequence[Mapping[str, Any]]

    def shown(self) -> tuple[list[str], list[list[object]]]:
        columns = [c for c in self.view.columns if c.header is not None]
        return [str(c.header) for c in columns], [[c.shown(row[c.key]) for c in columns] for row in self.rows]

    def csv_rows(self) -> Iterator[dict[str, object]]:
        for row in self.rows:
            values = {c: row.get(c.key) for c in self.view.columns if c.csv is not None}
            cells = {c.csv or c.key: None if v is None else c.csv_value(v) for c, v in values.items()}
            yield {"view": self.view.csv, **cells}


def tables(data: Mapping[str, Any]) -> list[Table]:
    domains = data["domains"]
    per_day = [
        Table(_DAYS.title.format(domain=d["domain"]), _DAYS, [{"domain": d["domain"], **day} for day in d["days"]])
        for d in domains
    ]
    after = [*(Table(v.title, v, data[v.key]) for v in _AFTER_DAYS), *tlsa_sts_render.side_tables(data)]
    return [Table(_DOMAIN_VIEW.title, _DOMAIN_VIEW, domains), *per_day, *after]


def _header(data: Mapping[str, Any]) -> str:
    counts = data["reports"]
    period = data["period"]
    days = f"days {period['first_day']} to {period['last_day']}" if period["first_day"] else "no days"
    selected = [f"{bound} {period[bound]}" for bound in ("since", "until") if period[bound]]
    if domain := (data.get("filter") or {}).get("domain"):
        selected.append(f"domain {domain}")
    chosen = ", ".join(selected)
    return (
        f"{counts['counted']} report(s) counted ({counts['read']} read, {counts['duplicates']} duplicate(s), "
        f"{counts['outside_filter']} outside the filter, {counts['unreadable']} unreadable input(s)); {days}"
        + (f" (selected: {chosen})" if chosen else "")
    )


def _numeric(rows: list[list[object]]) -> list[bool]:
    """Which columns hold only whole numbers (aligned right)."""
    return [all(isinstance(row[i], int) for row in rows) for i in range(len(rows[0]))]


def _unreadable(data: Mapping[str, Any], heading: list[str], bullet: str, escape: Callable[[str], str]) -> list[str]:
    named = data["reports"].get("unreadable_named") or []
    items = [f"{bullet}{escape(str(item['source']))}: {escape(str(item['error']))}" for item in named]
    hidden = data["reports"]["unreadable"] - len(named)
    items += [f"{bullet}... and {hidden} more"] if hidden > 0 else []
    return ["", *heading, *items] if items else []


def _text_table(table: Table) -> list[str]:
    title = terminal.shown(table.title)
    headers, rows = table.shown()
    if not rows:
        return ["", title, "  (none)"]
    cells = [headers, *[[terminal.shown(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    aligned = [
        [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, _numeric(rows), strict=True)] for row in cells
    ]
    return ["", title, *[("  " + "  ".join(row)).rstrip() for row in aligned]]


def _markdown_table(table: Table) -> list[str]:
    lines = ["", f"## {markdown.text(table.title)}", ""]
    headers, rows = table.shown()
    if not rows:
        return [*lines, "(none)"]
    align = "|".join("---:" if numeric else "---" for numeric in _numeric(rows))
    body = ["| " + " | ".join(markdown.text(v) for v in row) + " |" for row in rows]
    return [*lines, "| " + " | ".join(headers) + " |", f"|{align}|", *body]


def _render_text(data: Mapping[str, Any]) -> str:
    lines = ["TLS-RPT summary: " + terminal.shown(_header(data))]
    for table in tables(data):
        lines += _text_table(table)
    lines += _unreadable(data, ["Unreadable inputs"], "  ", terminal.shown)
    return "\n".join(lines) + "\n"


def _render_markdown(data: Mapping[str, Any]) -> str:
    lines = ["# TLS-RPT summary", "", markdown.text(_header(data))]
    for table in tables(data):
        lines += _markdown_table(table)
    lines += _unreadable(data, ["## Unreadable inputs", ""], "- ", markdown.text)
    return "\n".join(lines) + "\n"


def _csv_rows(data: Mapping[str, Any]) -> Iterator[dict[str, object]]:
    domains, *rest = tables(data)
    for row, days in zip(domains.csv_rows(), rest, strict=False):
        yield row
        yield from days.csv_rows()
    for table in rest[len(domains.rows) :]:
        yield from table.csv_rows()


_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "text": _render_text,
    "markdown": _render_markdown,
    "csv": lambda data: csv_escape.table(CSV_COLUMNS, _csv_rows(data)),
}


def render_summary_json(data: Mapping[str, Any], fmt: Literal["text", "markdown", "csv"]) -> str:
    """:func:`render_summary` of an ``as_json()`` object (e.g. read back from a file)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; use one of text, markdown, csv")
    return _RENDERERS[fmt](data)


def render_summary(summary: Summary, fmt: Literal["text", "markdown", "csv"]) -> str:
    return render_summary_json(summary.as_json(), fmt)


from . import tlsa_sts_render  # noqa: E402  (issue 27's tlsa/sts view subclasses Table: imported once Table exists)
