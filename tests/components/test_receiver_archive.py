"""Each receiver function's archive holds exactly the modules its handler imports (the parser's no
summary or HTML code), runs without Pulumi or any third-party package installed, and ships the
source's code with its docstrings and comments emptied."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.receiver.archive import FUNCTIONS, PARSER, READER, FunctionCode, shipped
from pulumi_mta_sts.receiver_lambda.contract import PARSER_HANDLER, READER_HANDLER
from tests.components.archive_zip import archive_zip

CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"
PACKAGE = Path(__file__).resolve().parents[2] / "components" / "pulumi_mta_sts"
STUBS = {"pulumi_mta_sts/__init__.py", "pulumi_mta_sts/core/__init__.py"}
#: What each function runs besides loading: the parser stores an e-mail's two reports, the reader
#: writes an empty digest (summary, verdict, escaping).
EXERCISE = {
    "parser": (
        f"sys.path.append({str(PACKAGE.parents[1])!r})\n"  # the tests' MemoryStore, beside the archive
        "from tests.reports.memory_store import MemoryStore\n"
        "store = MemoryStore({'raw/email/m': (sys.stdin.buffer.read(), 'message/rfc822', {})})\n"
        "settings = mod.Settings(bucket='b', domains=frozenset({'example.com'}))\n"
        "ran = len(mod.handle_raw('raw/email/m', store, settings, emit=lambda d: None).stored)\n"
    ),
    "reader": (
        "import datetime\n"
        "settings = mod.DigestSettings(bucket='b', domains=('example.com',), topic_arn='t')\n"
        "digest = mod.Digest.empty(mod.Period.for_run(datetime.date(2026, 12, 1)), settings.domains)\n"
        "ran = len(mod.message_text(digest, settings)) > 0 and len(mod.subject_line(digest, settings))\n"
    ),
}


def _loaded(code: FunctionCode, tmp_path: Path) -> dict[str, Any]:
    """Import the handler from the unpacked archive in an interpreter that has nothing else: ``-I``
    (no user site, no PYTHONPATH) and ``-S`` (no site-packages); what it loaded, what it ran."""
    zipfile.ZipFile(io.BytesIO(archive_zip(code))).extractall(tmp_path)
    module, _, function = code.handler.rpartition(".")
    script = (
        "import sys, importlib, json\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        f"mod = importlib.import_module({module!r})\n"
        f"assert callable(getattr(mod, {function!r}))\n"
        "ours = sorted(m for m in sys.modules if m.split('.')[0] == 'pulumi_mta_sts')\n"
        f"{EXERCISE[code.name]}"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'yaml', 'idna', 'dns', 'boto3'))\n"
        "print(json.dumps({'ours': ours, 'ran': ran, 'third_party': bad}))\n"
    )
    email = (CORPUS / "email_two_reports.eml").read_bytes()
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], input=email, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("code", FUNCTIONS, ids=lambda code: code.name)
def test_each_archive_holds_exactly_what_its_handler_imports_and_runs_alone(code: FunctionCode, tmp_path: Path) -> None:
    listed = {"pulumi_mta_sts", "pulumi_mta_sts.core"} | {f"pulumi_mta_sts.{m}" for m in code.modules}
    loaded = _loaded(code, tmp_path)
    assert set(loaded["ours"]) == listed  # a missing module fails the import
    assert loaded["ran"] and loaded["third_party"] == []
    names = zipfile.ZipFile(io.BytesIO(archive_zip(code))).namelist()
    assert names == sorted(code.files()) and set(names) >= STUBS


def test_the_functions_keep_their_handlers() -> None:
    assert (PARSER.handler, READER.handler) == (PARSER_HANDLER, READER_HANDLER)
    assert PARSER_HANDLER == "pulumi_mta_sts.receiver_lambda.handler.handler"  # deployed state


def test_the_parser_ships_no_summary_html_or_escaping_code() -> None:
    files = set(PARSER.files())
    for name in ("html", "summary", "summary_render", "readiness", "stored"):
        assert f"pulumi_mta_sts/reports/{name}.py" not in files
    assert not [name for name in files if "/escape/" in name]
    text = b"".join(PARSER.files().values())
    assert b"class Summary" not in text and b"<html" not in text.lower()


def test_archives_are_byte_for_byte_reproducible() -> None:
    for code in FUNCTIONS:
        assert archive_zip(code) == archive_zip(code)


def _blanked(tree: ast.AST) -> list[tuple[str, int, int]]:
    """Every statement and expression as (its dump with string statements emptied, line, column)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            node.value.value = ""
    return [(ast.dump(n), n.lineno, n.col_offset) for n in ast.walk(tree) if isinstance(n, ast.stmt | ast.expr)]


@pytest.mark.parametrize("code", FUNCTIONS, ids=lambda code: code.name)
def test_each_shipped_file_is_its_source_with_docstrings_and_comments_emptied(code: FunctionCode) -> None:
    for name, content in code.files().items():
        if name in STUBS:
            continue
        source = (PACKAGE / name.removeprefix("pulumi_mta_sts/")).read_bytes()
        assert _blanked(ast.parse(content)) == _blanked(ast.parse(source)), name
        tokens = tokenize.tokenize(io.BytesIO(content).readline)
        assert content.count(b"\n") == source.count(b"\n") and tokenize.COMMENT not in {t.type for t in tokens}
        assert shipped(content) == content  # already bare


def test_shipped_code_imports_nothing_outside_the_standard_library_and_boto3() -> None:
    for code in FUNCTIONS:
        for name, content in code.files().items():
            text = content.decode()
            for forbidden in ("import pulumi\n", "import yaml", "import idna", "import dns", "from pulumi "):
                assert forbidden not in text, (name, forbidden)


def test_the_cli_command_settings_and_archive_builder_do_not_import_pulumi() -> None:
    modules = [
        "pulumi_mta_sts.reports",
        "pulumi_mta_sts.receiver_lambda.handler",
        "pulumi_mta_sts.spec.receiver_settings",
        "pulumi_mta_sts.receiver.archive",
        "pulumi_mta_sts.cli.reports",
    ]
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'boto3')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
