"""The Lambda archive holds only the handler, the pure parser, the escaping modules and the core
modules they import, and runs without Pulumi or any third-party package installed."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from pulumi_mta_sts.receiver.archive import HANDLER, SHIPPED_CORE, archive_files, build_zip

CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"


def test_archive_holds_only_the_handler_the_reports_package_escaping_and_their_core_modules() -> None:
    names = sorted(zipfile.ZipFile(io.BytesIO(build_zip())).namelist())
    core = {f"pulumi_mta_sts/core/{m}.py" for m in SHIPPED_CORE} | {"pulumi_mta_sts/core/__init__.py"}
    shipped = ("pulumi_mta_sts/escape/", "pulumi_mta_sts/reports/", "pulumi_mta_sts/receiver_lambda/")
    assert names[0] == "pulumi_mta_sts/__init__.py"
    assert all(n.startswith(shipped) or n in core for n in names[1:])
    assert core <= set(names)
    assert "pulumi_mta_sts/reports/parse.py" in names
    assert "pulumi_mta_sts/receiver_lambda/handler.py" in names
    assert "pulumi_mta_sts/escape/terminal.py" in names


def _imported_modules(source: bytes) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_core_module_the_shipped_code_imports_is_shipped() -> None:
    files = archive_files()
    imported = {name for content in files.values() for name in _imported_modules(content)}
    core = {name.split(".")[2] for name in imported if name.startswith("pulumi_mta_sts.core.")}
    assert "pulumi_mta_sts.core" not in imported  # the real core/__init__ is not shipped
    assert core == set(SHIPPED_CORE)
    for module in SHIPPED_CORE:  # a shipped core module imports the standard library only
        assert not {n for n in _imported_modules(files[f"pulumi_mta_sts/core/{module}.py"]) if "pulumi" in n}


def test_archive_is_byte_for_byte_reproducible() -> None:
    assert build_zip() == build_zip()


def test_shipped_code_imports_nothing_outside_the_standard_library_and_boto3() -> None:
    for name, content in archive_files().items():
        text = content.decode()
        for forbidden in ("import pulumi\n", "import yaml", "import idna", "import dns", "from pulumi "):
            assert forbidden not in text, (name, forbidden)


def test_handler_runs_from_the_extracted_archive_in_an_isolated_interpreter(tmp_path: Path) -> None:
    zipfile.ZipFile(io.BytesIO(build_zip())).extractall(tmp_path)
    module, _, function = HANDLER.rpartition(".")
    code = (
        "import sys, importlib, json\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        f"mod = importlib.import_module({module!r})\n"
        f"assert callable(getattr(mod, {function!r}))\n"
        "from pulumi_mta_sts.reports import parse_input\n"
        "importlib.import_module('pulumi_mta_sts.receiver_lambda.digest')  # the weekly digest, its escaping too\n"
        "result = parse_input(sys.stdin.buffer.read(), 'stdin')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'yaml', 'idna', 'dns', 'boto3'))\n"
        "print(json.dumps({'reports': len(result.reports), 'third_party': bad}))\n"
    )
    # -I: isolated (no user site, no PYTHONPATH); -S: no site-packages at all, so nothing but the
    # standard library and the archive can be imported.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        input=(CORPUS / "email_two_reports.eml").read_bytes(),
        capture_output=True,
        check=True,
    )
    assert json.loads(result.stdout) == {"reports": 2, "third_party": []}


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
