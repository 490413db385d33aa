"""Acceptance (issue 23): from a built wheel to a planned domain, without this repository.

The wheel is built from the package's sources (``python -m build --wheel --no-isolation``: the
test environment's setuptools and setuptools-scm, nothing downloaded; the sources are copied out
of the repository first, so the build leaves nothing behind, and the version setuptools-scm
would read from git is handed over as ``SETUPTOOLS_SCM_PRETEND_VERSION``). It is installed into a
fresh virtual environment outside the repository with ``pip install --no-deps --no-index``; only
then does that environment see the test environment's other packages (the Pulumi SDKs, dnspython
...) through a plain path line in a ``.pth`` file, so that nothing is downloaded and the editable
install of this checkout stays invisible (a path line is not a site directory: its own ``.pth``
files, the editable finder among them, are not run). Then, in an empty folder, the installed
``mta-sts init`` writes a project against the loopback DNS world, and ``mta-sts plan`` plans it
there. Nothing here waits on a clock.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_init_live import zone_with
from tests.livefixture import LiveFixture, live_fixture

ROOT = Path(__file__).resolve().parents[1]
#: A bound against a hung child process, not a speed requirement.
HANG_GUARD = 1800


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    assert result.returncode == 0, f"{' '.join(argv)}\n{result.stdout}\n{result.stderr}"
    return result


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "MTA_STS_", "PYTHON"))}
    return {**env, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def build_wheel(work: Path) -> Path:
    """The package's wheel, built from a copy of its sources without downloading anything."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "components", source / "components", ignore=ignore)
    env = {**_offline_env(), "SETUPTOOLS_SCM_PRETEND_VERSION": importlib.metadata.version("pulumi-mta-sts")}
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist")], source, env)
    [wheel] = (work / "dist").glob("pulumi_mta_sts-*.whl")
    return wheel


def fresh_venv(work: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed, then the test environment's packages
    visible behind its own; returns its ``bin`` folder."""
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index"]
    _run([*pip, str(wheel)], work, _offline_env())
    found = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work)
    (Path(found.stdout.strip()) / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        zone_with(fixture, "accept.example", ("mx1.accept.example", "alt1.aspmx.l.google.com"))  # on Route53
        yield fixture


def test_the_built_wheel_makes_and_plans_a_project_in_an_empty_folder(tmp_path: Path, live: LiveFixture) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    wheel = build_wheel(tmp_path)
    bin_dir = fresh_venv(tmp_path, wheel)
    env = _offline_env()
    where = _run(
        [str(bin_dir / "python"), "-c", "import pulumi_mta_sts as p; print(p.__file__, p.__version__)"], tmp_path
    )
    module, version = where.stdout.split()
    assert Path(module).is_relative_to(tmp_path / "venv") and version == importlib.metadata.version("pulumi-mta-sts")

    empty = tmp_path / "work"
    empty.mkdir()
    looked_up = ["--nameserver", live.nameserver, "--cafile", live.cafile, "--https-port", str(live.https.port)]
    init = [str(bin_dir / "mta-sts"), "init", "accept.example", "--dir", "mail", "--json", *looked_up]
    report = json.loads(_run(init, empty, env).stdout)
    folder = empty / "mail"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", "Pulumi.yaml", "__main__.py", "requirements.txt", "Pulumi.accept-example.yaml"]
    )
    requirement = (folder / "requirements.txt").read_text().splitlines()[-1]
    assert requirement == f"pulumi-mta-sts[aws] @ {wheel.as_uri()}"  # the wheel it was installed from
    assert report["next"][:3] == ["cd mail", "pulumi install", "mta-sts plan --stack accept-example"]

    plan = [str(bin_dir / "mta-sts"), "plan", "--stack", "accept-example", *looked_up[:2]]
    planned = _run(plan, folder, env).stdout
    assert "*.aspmx.l.google.com" in planned and "_mta-sts.accept.example" in planned
    assert "evaluated under the mock engine" in planned
