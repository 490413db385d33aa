"""Each receiver function's deployment archive, from the list of exactly the modules its handler
imports (a test checks): an edit to code a function does not run leaves it as deployed. Docstrings
and comments ship as empty lines (the line numbers stay the source's). Standard library only.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from pulumi_mta_sts.receiver_lambda.contract import PARSER_HANDLER, READER_HANDLER

_COMPONENTS = Path(__file__).parents[2]  # the folder holding the pulumi_mta_sts package
_STUBS = {
    "": b'"""The part of pulumi-mta-sts shipped in a TLS-RPT receiver function."""\n',
    "core": b'"""The modules of the core the TLS-RPT receiver functions use."""\n',
}
#: What both functions run: the contract, the store, the table rows and the parser.
_SHARED = (
    "core.bounded_json",
    "receiver_lambda",
    "receiver_lambda.contract",
    "receiver_lambda.store",
    "receiver_lambda.table",
    "reports",
    "reports.decompress",
    "reports.extract",
    "reports.json_text",
    "reports.limits",
    "reports.normalise",
    "reports.parse",
    "reports.sessions",
)


@dataclass(frozen=True)
class FunctionCode:
    """A function's handler and the modules (under ``pulumi_mta_sts``) its archive holds besides the stubs."""

    name: str
    handler: str
    modules: tuple[str, ...]

    def files(self) -> dict[str, bytes]:
        files = {
            _archive_path(module): shipped((_COMPONENTS / _archive_path(module)).read_bytes())
            for module in self.modules
        }
        return {**files, **{_archive_path(name): stub for name, stub in _STUBS.items()}}


def shipped(source: bytes) -> bytes:
    """``source`` with each string statement as ``""`` and each comment cut, every line kept where it was."""
    text = source.decode()
    lines = text.splitlines(keepends=True)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column].rstrip() + "\n"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            first, last = node.lineno - 1, node.end_lineno or node.lineno
            lines[first:last] = [" " * node.col_offset + '""\n', *["\n"] * (last - first - 1)]
    return "".join(lines).encode()


def _archive_path(module: str) -> str:
    """``reports.parse`` → ``pulumi_mta_sts/reports/parse.py``; a package → its ``__init__.py``."""
    path = "/".join(["pulumi_mta_sts", *module.split(".")]) if module else "pulumi_mta_sts"
    return f"{path}/__init__.py" if (_COMPONENTS / path).is_dir() else f"{path}.py"


PARSER = FunctionCode("parser", PARSER_HANDLER, (*_SHARED, "receiver_lambda.handler"))
READER = FunctionCode(
    "reader",
    READER_HANDLER,
    (
        *_SHARED,
        "escape",
        "escape.csv",
        "escape.markdown",
        "escape.terminal",
        "escape.visible",
        "receiver_lambda.backfill",
        "receiver_lambda.digest",
        "receiver_lambda.listing",
        "reports.readiness",
        "reports.stored",
        "reports.summary",
        "reports.summary_render",
        "reports.tlsa_ready",
        "reports.tlsa_sts",
        "reports.tlsa_sts_render",
    ),
)
FUNCTIONS = (PARSER, READER)
