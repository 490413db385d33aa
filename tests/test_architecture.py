"""The architecture, enforced by ``pytest`` alone (``docs/architecture.md`` explains it).

- the import contracts of ``pyproject.toml`` hold (``lint-imports``), and every folder of the
  package is under a contract;
- what the base install runs imports no extra, and the base dependencies are exactly the
  third-party packages those layers import;
- the package top stays a table of contents: few loose modules, the public API loaded lazily;
- no function is longer than the hard limit.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import pulumi_mta_sts
from pulumi_mta_sts.core.errors import EXTRAS_OF_MODULE

from .cli.without_extras import run_without_extras

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "components" / "pulumi_mta_sts"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CONTRACTS: list[dict[str, object]] = PYPROJECT["tool"]["importlinter"]["contracts"]

#: The folders the base install runs: the CLI's render, check and reports and what they stand on.
BASE_LAYERS = ("core", "spec", "config", "change", "net", "check", "reports", "cli")
#: Modules an extra brings (pulumi, the provider SDKs, boto3): never loaded by the base layers.
EXTRA_MODULES = frozenset(EXTRAS_OF_MODULE)
MAX_FUNCTION_LINES = 60
#: Issue 24's size rules: at most this many modules over MAX_MODULE_LINES lines.
MAX_MODULE_LINES = 500
MAX_LONG_MODULES = 2
#: Issue 24's size target for the package's ``.py`` lines, leaving out the modules the day-2 and DANE
#: work adds (named for it, so they can be left out).
MAX_PACKAGE_LINES = 20_000
LATER_WORK = re.compile(r"(watch|migrate|dane|tlsa)")
MAX_LOOSE_MODULES = 3

#: The public API and the folder each name lives in (the README and docs/ import these).
PUBLIC_API = {
    "MtaSts": "mtasts",
    "MtaStsArgs": "spec",
    "MtaStsFleet": "mtasts",
    "MtaStsFleetArgs": "spec",
    "FleetDomainArgs": "spec",
    "DelegationArgs": "spec",
    "TlsRptReceiver": "receiver",
    "TlsRptReceiverArgs": "receiver",
    "Route53Dns": "dns",
    "Route53DnsArgs": "dns",
    "CloudflareDns": "dns",
    "CloudflareDnsArgs": "dns",
    "Policy": "core",
    "InputError": "core",
    "Problem": "core",
    "MissingExtraError": "core",
    "DnsConfig": "spec",
    "ReceiverSettings": "spec",
}
#: The components' arguments, defined in the spec but loaded with the components (``pulumi_mta_sts.mtasts``).
LOADED_WITH_THE_COMPONENTS = {"MtaStsArgs", "MtaStsFleetArgs", "FleetDomainArgs", "DelegationArgs"}
#: The public names that need an extra (the rest work in the base install).
NEEDS_AN_EXTRA = {
    name for name, folder in PUBLIC_API.items() if folder in ("mtasts", "receiver", "dns")
} | LOADED_WITH_THE_COMPONENTS


# ---- import contracts ---------------------------------------------------------------------------
def test_the_import_contracts_hold() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if command is None:
        pytest.skip("lint-imports is not installed (pip install -e '.[dev]'): the import contracts were not checked")
    result = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _contracted_modules() -> set[str]:
    names: set[str] = set()
    for contract in CONTRACTS:
        for entry in [*contract.get("layers", []), *contract.get("source_modules", [])]:  # type: ignore[misc]
            names.update(part.strip() for part in str(entry).split("|"))
    return names


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_every_folder_is_under_an_import_contract(folder: str) -> None:
    assert f"pulumi_mta_sts.{folder}" in _contracted_modules(), (
        f"pulumi_mta_sts/{folder}/ is in no [[tool.importlinter.contracts]] of pyproject.toml: add it to the "
        "layers (docs/architecture.md, 'where does X go') or give it a forbidden contract"
    )


# ---- what each layer loads ----------------------------------------------------------------------
def _top_level_modules_loaded_by(module: str) -> set[str]:
    code = (
        "import importlib, sys\n"
        "before = set(sys.modules)\n"
        f"importlib.import_module({module!r})\n"
        "print(' '.join(sorted({name.split('.')[0] for name in set(sys.modules) - before})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


_LOAD_CASES = [
    ("pulumi_mta_sts.core", EXTRA_MODULES | {"dns", "yaml", "rich"}),
    *((f"pulumi_mta_sts.{folder}", EXTRA_MODULES) for folder in BASE_LAYERS if folder != "core"),
    *((f"pulumi_mta_sts.cli.{command}", EXTRA_MODULES) for command in ("render", "check", "reports")),
]


@pytest.mark.parametrize(("module", "forbidden"), _LOAD_CASES, ids=[case[0] for case in _LOAD_CASES])
def test_the_base_layers_load_no_extra(module: str, forbidden: frozenset[str]) -> None:
    loaded = _top_level_modules_loaded_by(module)
    assert not loaded & forbidden, f"importing {module} loads {sorted(loaded & forbidden)}"


def test_importing_the_package_alone_loads_nothing_of_ours_or_anyone_elses() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import pulumi_mta_sts\n"
        "new = {name for name in set(sys.modules) - before if name.split('.')[0] not in sys.stdlib_module_names}\n"
        "print(' '.join(sorted(new)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pulumi_mta_sts"]


# ---- dependencies -------------------------------------------------------------------------------
def _third_party_imports(folder: Path) -> Iterator[tuple[str, str]]:
    """(top-level module, where) for every absolute import of a non-stdlib module outside ours, but optional
    ones: imports inside a ``try`` whose handler catches ``ImportError`` (the code runs without the module)."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        guarded = [
            stmt for t in ast.walk(tree) if isinstance(t, ast.Try) and _catches_import_error(t) for stmt in t.body
        ]
        optional = {id(n) for stmt in guarded for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "pulumi_mta_sts":
                    yield top, f"{path.relative_to(ROOT)}:{node.lineno}"


def _catches_import_error(node: ast.Try) -> bool:
    caught = [h.type for h in node.handlers if h.type is not None]
    return any(isinstance(c, ast.Name) and c.id in ("ImportError", "ModuleNotFoundError") for c in caught)


def _distribution(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]).lower()


def _modules_of(distributions: set[str]) -> set[str]:
    """The top-level modules the given (installed) distributions provide."""
    return {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if {_distribution(d) for d in dists} & distributions
    }


def _installed_with(distributions: set[str]) -> set[str]:
    """``distributions`` and everything they require (their own extras left out), as installed."""
    found: set[str] = set()
    todo = list(distributions)
    while todo:
        dist = todo.pop()
        if dist in found:
            continue
        found.add(dist)
        requires = importlib.metadata.requires(dist) or []
        todo.extend(_distribution(r) for r in requires if "extra ==" not in r)
    return found


def test_the_base_dependencies_are_exactly_what_the_base_layers_import() -> None:
    base = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    provided = _modules_of(base)
    imported: dict[str, list[str]] = {}
    for folder in BASE_LAYERS:
        for module, where in _third_party_imports(PACKAGE / folder):
            imported.setdefault(module, []).append(where)
    undeclared = {module: where for module, where in imported.items() if module not in provided}
    assert not undeclared, f"imported by the base layers but not a base dependency in pyproject.toml: {undeclared}"
    unused = {dist for dist in base if not _modules_of({dist}) & set(imported)}
    assert not unused, f"base dependencies no base layer imports (move them to an extra): {sorted(unused)}"


@pytest.mark.parametrize("module", sorted(EXTRA_MODULES))
def test_every_extra_named_in_an_install_hint_brings_its_module(module: str) -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra in EXTRAS_OF_MODULE[module]:
        requirements = _installed_with({_distribution(r) for r in extras[extra]})
        assert module in _modules_of(requirements), f"pip install 'pulumi-mta-sts[{extra}]' does not install {module}"


def test_dev_and_all_bring_every_extra() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    every = sorted(set(extras) - {"all", "dev"})
    assert extras["all"] == [f"pulumi-mta-sts[{','.join(every)}]"]
    assert "pulumi-mta-sts[all]" in extras["dev"]


# ---- the package top ----------------------------------------------------------------------------
def test_the_package_top_has_at_most_three_loose_modules() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, f"put these in a layer folder (docs/architecture.md): {loose}"


def test_every_module_is_named_in_the_architecture_map() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    modules = (p.relative_to(PACKAGE) for p in sorted(PACKAGE.glob("*/*.py")) if p.name != "__init__.py")
    unnamed = [str(m) for m in modules if f"`{m.name}`" not in doc and f"`{m}`" not in doc]
    assert not unnamed, f"docs/architecture.md, 'The folders': say in one phrase what these are: {unnamed}"


def test_the_public_api_is_the_documented_one() -> None:
    assert set(pulumi_mta_sts.__all__) == {*PUBLIC_API, "__version__"}
    assert set(pulumi_mta_sts.__all__) <= set(dir(pulumi_mta_sts))
    assert pulumi_mta_sts.__version__ == importlib.metadata.version("pulumi-mta-sts")


@pytest.mark.parametrize("name", sorted(PUBLIC_API))
def test_every_public_name_resolves_to_its_home(name: str) -> None:
    value = getattr(pulumi_mta_sts, name)
    assert value.__name__ == name
    assert value.__module__.startswith(f"pulumi_mta_sts.{PUBLIC_API[name]}.")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'MtaStz'"):
        _ = pulumi_mta_sts.MtaStz  # type: ignore[attr-defined]


def test_a_broken_module_of_ours_is_not_reported_as_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(vars(pulumi_mta_sts), "MtaSts", raising=False)  # not cached from another test
    monkeypatch.setitem(sys.modules, "pulumi_mta_sts.mtasts", None)  # type: ignore[arg-type]
    with pytest.raises(ModuleNotFoundError) as err:
        _ = pulumi_mta_sts.MtaSts
    assert type(err.value) is ModuleNotFoundError
    assert err.value.name == "pulumi_mta_sts.mtasts"


def test_without_extras_the_components_name_the_extra_and_the_rest_works() -> None:
    code = (
        "import pulumi_mta_sts\n"
        f"for name in {sorted(PUBLIC_API)!r}:\n"
        "    try:\n"
        "        getattr(pulumi_mta_sts, name)\n"
        "        print(name, 'ok')\n"
        "    except pulumi_mta_sts.MissingExtraError as exc:\n"
        "        print(name, 'missing', exc)\n"
    )
    result = run_without_extras(code)
    assert result.returncode == 0, result.stderr
    outcome = {line.split()[0]: line.split(maxsplit=2)[1:] for line in result.stdout.splitlines()}
    assert {name for name, (status, *_) in outcome.items() if status == "missing"} == NEEDS_AN_EXTRA
    for name in NEEDS_AN_EXTRA:  # named by the component that needs it (TlsRptReceiver for its Args)
        message = outcome[name][1]
        assert re.match(r"\w+ needs the Python package 'pulumi', which is not installed", message), message
        assert "pip install 'pulumi-mta-sts[aws]'" in message


# ---- function length ----------------------------------------------------------------------------
def _long_functions() -> Iterator[str]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)"


def test_no_function_is_longer_than_the_hard_limit() -> None:
    offenders = list(_long_functions())
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines; split them: {offenders}"


# ---- module length ------------------------------------------------------------------------------
def test_at_most_two_modules_are_longer_than_500_lines() -> None:
    lengths = {path: len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")}
    long = sorted(f"{path.relative_to(ROOT)} ({n} lines)" for path, n in lengths.items() if n > MAX_MODULE_LINES)
    assert len(long) <= MAX_LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines; split them: {long}"


def test_the_package_stays_within_its_line_budget() -> None:
    counted = [p for p in PACKAGE.rglob("*.py") if not any(map(LATER_WORK.match, p.relative_to(PACKAGE).parts))]
    lines = sum(len(p.read_text().splitlines()) for p in counted)
    assert lines <= MAX_PACKAGE_LINES, f"the package has {lines} lines of Python, over {MAX_PACKAGE_LINES}"
