"""One notification per round (never one per problem): the round's new problems and recoveries, read
from ``mta-sts watch --format json``'s document, as plain text for the SNS topic's e-mail. What live DNS,
a policy host or a sender's report said is a stranger's text: shown (``escape.terminal``), never obeyed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_mta_sts.escape import terminal

#: SNS takes messages up to 256 KiB (262,144 bytes); a round's message stays well under.
MAX_MESSAGE_BYTES = 200 * 1024
#: SNS subjects: ASCII here, no line break, fewer than 100 characters.
MAX_SUBJECT_CHARACTERS = 99
#: Characters of a stranger's text (a message, a fix) shown per problem.
MAX_TEXT = 2000
_CUT_NOTE = "\n[cut: longer than an SNS message may be; run mta-sts watch for all of it]\n"


@dataclass(frozen=True)
class Change:
    """A problem that is new this round, or one that recovered (``severity`` ``None``)."""

    domain: str
    code: str
    severity: str | None = None
    message: str = ""
    fix: str = ""


@dataclass(frozen=True)
class RoundChanges:
    """What a round's document says changed, and how many problems stay open."""

    new: tuple[Change, ...]
    recovered: tuple[Change, ...]
    still_open: int

    @property
    def worth_saying(self) -> bool:
        return bool(self.new or self.recovered)


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def round_changes(document: Mapping[str, Any]) -> RoundChanges:
    """The new problems, recoveries and open count of a ``--format json`` document (odd entries skipped)."""
    new: list[Change] = []
    recovered: list[Change] = []
    still_open = 0
    for entry in document.get("domains") or ():
        if not isinstance(entry, Mapping):
            continue
        domain = _text(entry.get("domain"))
        for problem in entry.get("problems") or ():
            if not isinstance(problem, Mapping):
                continue
            still_open += 1
            if problem.get("new") is True:
                fields = {k: _text(problem.get(k)) for k in ("code", "message", "fix")}
                new.append(Change(domain, severity=_text(problem.get("severity")), **fields))
        for gone in entry.get("recovered") or ():
            code = gone.get("code") if isinstance(gone, Mapping) else gone
            message = _text(gone.get("message")) if isinstance(gone, Mapping) else ""
            recovered.append(Change(domain, _text(code), message=message))
    return RoundChanges(tuple(new), tuple(recovered), still_open - len(new))


def subject_line(changes: RoundChanges, name: str) -> str:
    """ASCII, one line, under 100 characters (SNS): counts and the first domain, never a stranger's text."""
    failing = sum(1 for change in changes.new if change.severity == "fail")
    parts = [f"{len(changes.new)} new ({failing} failing)", f"{len(changes.recovered)} recovered"]
    domains = sorted({change.domain for change in (*changes.new, *changes.recovered)})
    where = domains[0] + (f" and {len(domains) - 1} more" if len(domains) > 1 else "") if domains else ""
    text = terminal.shown(f"mta-sts watch {name}: {', '.join(parts)}: {where}")
    ascii_text = " ".join(text.encode("ascii", "replace").decode("ascii").split())
    if len(ascii_text) > MAX_SUBJECT_CHARACTERS:
        ascii_text = ascii_text[: MAX_SUBJECT_CHARACTERS - 3].rstrip() + "..."
    return ascii_text


def _new_lines(change: Change) -> list[str]:
    head = f"- [{terminal.shown(change.severity)}] {terminal.shown(change.domain)}: {terminal.shown(change.code)}"
    lines = [head, *(f"    {line}" for line in terminal.lines(change.message[:MAX_TEXT]))]
    if change.fix:
        fix = terminal.lines(change.fix[:MAX_TEXT])
        lines += [f"    fix: {fix[0]}" if fix else "    fix:", *(f"         {line}" for line in fix[1:])]
    return lines


def _section(title: str, lines: Sequence[str]) -> str:
    return "\n".join([title, *lines]) if lines else ""


def message_text(changes: RoundChanges, name: str) -> str:
    """The round's news: new problems (severity, code, message, fix), then recoveries; within SNS's size."""
    new = [line for change in changes.new for line in _new_lines(change)]
    recovered = [f"- {terminal.shown(c.domain)}: {terminal.shown(c.code)}" for c in changes.recovered]
    sections = [
        _section("New problems:", new),
        _section("Recovered (said once):", recovered),
        f"Still open, said before: {changes.still_open}.",
    ]
    heading = f"mta-sts watch ({terminal.shown(name)}): what changed since the last round\n"
    footer = "\nEvery problem, old and new: mta-sts watch DOMAIN (docs/watch.md).\n"
    body = "\n\n".join(section for section in sections if section)
    budget = MAX_MESSAGE_BYTES - len((heading + footer + _CUT_NOTE).encode())
    encoded = body.encode()
    if len(encoded) > budget:
        body = encoded[:budget].decode("utf-8", "ignore").rsplit("\n", 1)[0] + _CUT_NOTE
    return heading + "\n" + body + footer
