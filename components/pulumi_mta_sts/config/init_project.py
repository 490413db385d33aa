"""The Pulumi project ``mta-sts init`` writes into an empty folder, with a ``requirements.txt`` naming
this package as installed here (PEP 610 ``direct_url.json``) and the extras its providers need.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json

#: As ``pulumi_mta_sts.DISTRIBUTION`` (config may not import the package top).
DISTRIBUTION = "pulumi-mta-sts"

#: This repository's project name, so ``mta-sts:`` keys are the project's own.
PROJECT_NAME = "mta-sts"
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "requirements.txt", ".gitignore")

#: The stack program (``stacks/__main__.py`` of this repository is the same text).
PROGRAM_TEXT = '''"""The MTA-STS stack program (pulumi-mta-sts): `pulumi up` runs it with Pulumi.<stack>.yaml.

Its steps are pulumi_mta_sts.program.pipeline.main; `mta-sts plan --stack NAME` runs it offline.
"""

from pulumi_mta_sts.program.pipeline import main

main()
'''


def project_text(domain: str) -> str:
    """``Pulumi.yaml``: Python in the project's own ``.venv`` (``pulumi install`` makes it)."""
    return (
        f"name: {PROJECT_NAME}\n"
        f"description: MTA-STS and TLS reporting for {json.dumps(domain)}, written by mta-sts init.\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    toolchain: pip\n"
        "    virtualenv: .venv\n"
    )


def extras_for(provider: str, host_kind: str, receiver: bool) -> tuple[str, ...]:
    """``aws`` for Route53, CloudFront and the receiver, ``cloudflare`` for its DNS and the Worker."""
    wanted = {"aws" if provider == "route53" else "cloudflare", "aws" if host_kind == "cloudfront" else "cloudflare"}
    if receiver:
        wanted.add("aws")
    return tuple(sorted(wanted))


@dataclass(frozen=True)
class Requirement:
    """A requirement line and where it came from; ``warning``: the project cannot install it as written."""

    line: str
    source: str
    warning: str | None = None


_RELEASE = re.compile(r"\d+(\.\d+)*")


def _vcs(name: str, info: dict[str, object], url: str, version: str) -> Requirement:
    vcs = info.get("vcs_info")
    vcs_info = vcs if isinstance(vcs, dict) else {}
    commit = str(vcs_info.get("commit_id") or "")
    revision = f"v{version}" if _RELEASE.fullmatch(version) else commit
    kind = str(vcs_info.get("vcs") or "git")
    subdirectory = info.get("subdirectory")
    tail = f"#subdirectory={subdirectory}" if isinstance(subdirectory, str) and subdirectory else ""
    pin = f"@{revision}" if revision else ""
    what = f"the release tag {revision}" if revision.startswith("v") else f"commit {commit or 'unknown'}"
    return Requirement(f"{name} @ {kind}+{url}{pin}{tail}", f"{url} at {what}")


def _file_path(url: str) -> Path | None:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _archive(name: str, url: str) -> Requirement:
    path = _file_path(url)
    if path is not None and not path.is_file():
        warning = f"the file this package was installed from, {path}, is gone; put it back or edit requirements.txt"
        return Requirement(f"{name} @ {url}", f"the wheel {path}", warning)
    return Requirement(f"{name} @ {url}", f"the wheel {path}" if path else url)


def requirement_of(direct_url: str | None, version: str, extras: tuple[str, ...]) -> Requirement:
    """The requirement for ``direct_url.json``'s text (``None``: installed from an index)."""
    name = DISTRIBUTION + (f"[{','.join(extras)}]" if extras else "")
    try:
        info = load_bounded_json(direct_url) if direct_url else None
    except JsonInputError:
        info = None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(info, dict) or not isinstance(url, str) or not url:
        return Requirement(f"{name}=={version}", f"a package index, version {version}")
    if "vcs_info" in info:
        return _vcs(name, info, url, version)
    if "archive_info" in info:
        return _archive(name, url)
    path = _file_path(url)
    return Requirement(f"{name} @ {url}", f"the source folder {path or url}")


def installed_requirement(extras: tuple[str, ...]) -> Requirement:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        checkout = Path(__file__).resolve().parents[3]  # components/ of a clone, when not installed
        name = DISTRIBUTION + (f"[{','.join(extras)}]" if extras else "")
        if (checkout / "pyproject.toml").is_file():
            return Requirement(f"{name} @ {checkout.as_uri()}", f"the source folder {checkout}")
        warning = f"{DISTRIBUTION} is not installed, so requirements.txt names it without a source; edit it"
        return Requirement(name, "nowhere known", warning)
    return requirement_of(dist.read_text("direct_url.json"), dist.version, extras)


def project_files(domain: str, requirement: Requirement) -> dict[str, str]:
    requirements = (
        f"# Written by mta-sts init: {DISTRIBUTION} as it was installed where init ran ({requirement.source}),\n"
        f"# with the extras the stack's providers need. `pulumi install` puts it into .venv.\n"
        f"{requirement.line}\n"
    )
    texts = (project_text(domain), PROGRAM_TEXT, requirements, ".venv/\n__pycache__/\n")
    return dict(zip(PROJECT_FILES, texts, strict=True))
