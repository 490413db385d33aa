"""Every extra pyproject.toml asks of a dependency is one that dependency provides.

pip only warns about an extra that does not exist (``moto 5.2.6 does not provide the extra
'lambda'``) and installs the package without it, so a misspelt extra silently drops what it was
meant to bring. moto's Lambda extra is ``awslambda``.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REQUIREMENTS = [
    Requirement(text)
    for text in [*PROJECT["dependencies"], *(t for group in PROJECT["optional-dependencies"].values() for t in group)]
]


def _normal(extra: str) -> str:
    """An extra's name as PEP 685 compares them."""
    return re.sub(r"[-_.]+", "-", extra).lower()


@pytest.mark.parametrize(
    "requirement", [r for r in REQUIREMENTS if r.extras and r.name != PROJECT["name"]], ids=lambda r: r.name
)
def test_every_extra_asked_of_a_dependency_exists(requirement: Requirement) -> None:
    try:
        provided = {_normal(e) for e in metadata(requirement.name).get_all("Provides-Extra") or []}
    except PackageNotFoundError:
        pytest.skip(f"{requirement.name} is not installed here; pip install -e '.[dev]' installs it")
    missing = sorted(e for e in requirement.extras if _normal(e) not in provided)
    assert not missing, f"{requirement.name} provides no extra {missing}; it provides {sorted(provided)}"
