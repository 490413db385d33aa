"""The GitHub watcher's issues (``.github/workflows/watch.yml``, docs/watch-scheduled.md): one open issue per
domain and problem of ``mta-sts watch --format json``'s document, updated when its text changes and
closed when the problem is gone, through the GitHub CLI (``gh``, with ``$GH_TOKEN``).

Run as ``python -m pulumi_mta_sts.cli.watch_issues WATCH.json``. An issue is found again by its label
:data:`LABEL` and the marker on its body's first line (a digest of the domain and the problem's code),
so the issues themselves are the record: a lost state file never opens a second issue for one problem,
and a problem without an issue gets one, new or not. Only domains in the document are closed on.
What DNS, a policy host or a sender wrote reaches an issue only through ``escape.markdown``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.visible import shown

LABEL = "mta-sts-watch"
#: GitHub refuses titles over 256 characters and bodies over 65,536.
MAX_TITLE = 256
MAX_TEXT = 4000
#: Open issues read at most (more than any stack's domains times their problems).
MAX_OPEN = 1000


@dataclass(frozen=True)
class Finding:
    """One problem of one domain, as an issue says it."""

    domain: str
    code: str
    severity: str
    message: str
    fix: str

    @property
    def marker(self) -> str:
        problem = _digest(f"{self.domain}\x00{self.code}")[:32]
        return f"<!-- {LABEL}:{domain_digest(self.domain)}:{problem} -->"

    def title(self) -> str:
        return shown(f"mta-sts watch: {self.domain}: {self.code}")[:MAX_TITLE]

    def body(self) -> str:
        lines = [
            self.marker,
            f"**{markdown.text(self.severity)}** for {markdown.code(self.domain)}: {markdown.code(self.code)}",
            "",
            markdown.text(self.message[:MAX_TEXT]),
            "",
            f"**Fix:** {markdown.text(self.fix[:MAX_TEXT])}",
            "",
            "_Opened and kept up to date by the `watch` workflow (`mta-sts watch`); closed when the problem is gone._",
        ]
        return "\n".join(lines) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def domain_digest(domain: str) -> str:
    """The marker's first part (the hidden first line an issue is found by): only domains watched are closed on."""
    return _digest(domain)[:16]


def findings(document: Mapping[str, Any]) -> tuple[list[Finding], set[str]]:
    """Every problem in the document, and the domains it covers (odd entries are skipped)."""
    found: list[Finding] = []
    domains: set[str] = set()
    for entry in document.get("domains") or ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("domain"), str):
            continue
        domains.add(entry["domain"])
        for problem in entry.get("problems") or ():
            if isinstance(problem, Mapping) and isinstance(problem.get("code"), str):
                text = {key: str(problem.get(key) or "") for key in ("severity", "message", "fix")}
                found.append(Finding(entry["domain"], problem["code"], **text))
    return found, domains


def gh(*args: str, body: str | None = None) -> str:
    """Run ``gh`` (arguments as a list: nothing is read by a shell; ``body`` on its standard input for
    ``--body-file -``); its output, or the exception."""
    done = subprocess.run(["gh", *args], input=body, capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def open_issues() -> dict[str, tuple[int, str]]:
    """The open issues with :data:`LABEL`, by their marker: number and body."""
    answer = gh("issue", "list", "--label", LABEL, "--state", "open", "--json", "number,body", "--limit", str(MAX_OPEN))
    listed = load_bounded_json(answer or "[]")
    issues: dict[str, tuple[int, str]] = {}
    for issue in listed if isinstance(listed, list) else ():
        if not isinstance(issue, Mapping):
            continue
        body = str(issue.get("body") or "")
        first = body.split("\n", 1)[0].strip()
        if first.startswith(f"<!-- {LABEL}:") and isinstance(issue.get("number"), int):
            issues[first] = (issue["number"], body)
    return issues


def sync(document: Mapping[str, Any]) -> dict[str, int]:
    """Open, update and close issues so that each problem in ``document`` has exactly one open issue."""
    found, domains = findings(document)
    existing = open_issues()
    done = {"opened": 0, "updated": 0, "closed": 0}
    wanted = {finding.marker: finding for finding in found}
    for marker, finding in wanted.items():
        if marker not in existing:
            gh("issue", "create", "--title", finding.title(), "--label", LABEL, "--body-file", "-", body=finding.body())
            done["opened"] += 1
        elif existing[marker][1].replace("\r\n", "\n") != finding.body():
            gh("issue", "edit", str(existing[marker][0]), "--body-file", "-", body=finding.body())
            done["updated"] += 1
    watched = {domain_digest(domain) for domain in domains}
    for marker, (number, _) in sorted(existing.items(), key=lambda item: item[1][0]):
        if marker not in wanted and marker.split(":")[1] in watched:
            gh("issue", "close", str(number), "--comment", "Recovered: `mta-sts watch` no longer finds this problem.")
            done["closed"] += 1
    return done


def ensure_label() -> None:
    gh("label", "create", LABEL, "--color", "d93f0b", "--description", "opened by mta-sts watch", "--force")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m pulumi_mta_sts.cli.watch_issues WATCH.json\n")
        return 2
    try:
        document = load_bounded_json(Path(args[0]).read_bytes())
    except (OSError, JsonInputError) as exc:
        sys.stderr.write(f"watch_issues: {args[0]}: not a watch document ({shown(exc, 200)})\n")
        return 2
    if not isinstance(document, Mapping):
        sys.stderr.write(f"watch_issues: {args[0]}: not a watch document (no object)\n")
        return 2
    ensure_label()
    sys.stdout.write(json.dumps({"watch_issues": sync(document)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
