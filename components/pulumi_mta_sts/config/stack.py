"""A stack file's ``mta-sts:`` keys (docs/configuration.md): found, read as the Pulumi CLI reads them
(:mod:`.stack_file`) and loaded into a :class:`~.sections.Deployment`, one domain or a fleet.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pulumi_mta_sts.core.errors import InputError, Problem

from .files import file_kind
from .fleet_stack import load_fleet_config
from .sections import NAMESPACE, SECTIONS, Collector, Deployment, DomainConfig, load_domain, load_sections
from .stack_file import SECRET, decode_config_value, read_project_file, read_stack_config
from .watch import WATCH_SECTION, load_watch

_Loaded = TypeVar("_Loaded")


def no_reports_note(domain: str, key: str = f"{NAMESPACE}:reporting", *, receiver: bool = True) -> str:
    """What ``plan``, ``pulumi up`` and ``init`` say when ``domain`` gets no ``_smtp._tls`` record."""
    fix = f"set {key}.rua or turn on {key}.receiver" if receiver else f"set {key}.rua"
    return (
        f"no _smtp._tls record will be published for {domain} ({key} has no rua"
        f"{' and no receiver' if receiver else ''}): senders send no TLS-RPT reports, so there is no way to see "
        f"their failures before mode enforce; {fix} (docs/configuration.md)"
    )


def load_stack_config(values: Mapping[str, Any]) -> DomainConfig:
    """A single-domain stack's ``mta-sts:`` values (keys without the namespace), checked."""
    c = Collector()
    values = {k: (None if v == "" else v) for k, v in values.items()}  # an empty value reaches the program as ""
    if "domains" in values:  # a fleet stack: say so rather than "not a known setting"
        reason = (
            "makes this a fleet stack (docs/fleets.md), which has no single domain to read here; "
            "a fleet's policies and records are in its plan and its 'domains' output"
        )
        raise InputError([Problem(c.key("domains"), "(a list of domains)", reason)])
    c.unknown("", values, ("domain", *SECTIONS, WATCH_SECTION))
    load_watch(c, values)
    domain = load_domain(c, "domain", values.get("domain"))
    cfg = load_sections(c, values, domain)
    c.check()
    assert cfg is not None  # every section read, or a problem raised above
    return cfg


def load_any_config(values: Mapping[str, Any]) -> Deployment:
    """A fleet when ``mta-sts:domains`` is set, else one domain: the one place that tells them apart."""
    return load_fleet_config(values) if "domains" in values else Deployment("domain", (load_stack_config(values),))


# ---- stack files, as the Pulumi CLI finds them: `plan` and `render --stack` see what `pulumi up` does

PROJECT_FILE = "Pulumi.yaml"
_STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def project_file(start: Path) -> Path | None:
    return next((f / PROJECT_FILE for f in (start, *start.parents) if os.path.lexists(f / PROJECT_FILE)), None)


def find_stacks_dir(start: Path | None = None) -> Path:
    """``stackConfigDir`` of the nearest ``Pulumi.yaml`` at or above ``start`` (default: here), else ``./stacks``."""
    here = (start or Path.cwd()).resolve()
    project = project_file(here)
    if project is None:
        return here / "stacks"
    config_dir = read_project_file(project).get("stackConfigDir")
    return project.parent / (config_dir if isinstance(config_dir, str) else ".")


def project_name(folder: Path) -> str | None:
    project = project_file(folder.resolve())
    name = read_project_file(project).get("name") if project is not None else None
    return name if isinstance(name, str) and name else None


def stack_name_problems(stack: str) -> list[Problem]:
    if isinstance(stack, str) and _STACK_NAME.fullmatch(stack):
        return []
    return [Problem("--stack", stack, "must be a stack name such as example-com (letters, digits, '-', '_', '.')")]


def stacks_dir_problems(folder: Path, given: bool) -> list[Problem]:
    try:  # a name the system refuses is no folder either
        what = None if stat.S_ISDIR(os.stat(folder).st_mode) else "is not a directory"
    except FileNotFoundError:
        what = "does not exist"
    except (OSError, ValueError) as exc:
        what = f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if what is None:
        return []
    reason = (
        f"{folder} {what}; give the folder of the Pulumi.<stack>.yaml files"
        if given
        else f"the stacks folder {folder} {what}; run from the project (its {PROJECT_FILE} names the folder) "
        "or give --stacks-dir"
    )
    return [Problem("--stacks-dir", str(folder), reason)]


def stack_names(stacks_dir: Path | None) -> list[str]:
    folder = stacks_dir or find_stacks_dir()
    if problems := stacks_dir_problems(folder, stacks_dir is not None):
        raise InputError(problems)
    names = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
    names = [n for n in names if not stack_name_problems(n)]
    if not names:
        raise InputError([Problem("--all", str(folder), f"no stack files (Pulumi.<stack>.yaml) in {folder}")])
    return names


def find_stack_file(stack: str, stacks_dir: Path | None = None) -> Path:
    if problems := stack_name_problems(stack):
        raise InputError(problems)
    folder = stacks_dir or find_stacks_dir()
    if problems := stacks_dir_problems(folder, stacks_dir is not None):
        raise InputError(problems)
    path = folder / f"Pulumi.{stack}.yaml"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
        hint = f"known stacks: {', '.join(known)}" if known else f"no stack files in {folder}"
        raise InputError([Problem("--stack", stack, f"{path} does not exist; {hint}")]) from None
    except OSError as exc:
        raise InputError([Problem("--stack", stack, f"{path} is not a readable file ({exc.strerror})")]) from None
    if not stat.S_ISREG(mode):
        raise InputError([Problem("--stack", stack, f"{path} is {file_kind(mode)}, not a readable file")])
    return path


def read_stack_file(path: Path) -> dict[str, Any]:
    """Every ``config:`` entry as ``pulumi up`` hands it to the program."""
    return read_stack_config(path, project_name(path.parent), NAMESPACE)


def stack_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``mta-sts:`` entries as the program reads them (no namespace, JSON decoded)."""
    prefix = f"{NAMESPACE}:"
    return {
        key[len(prefix) :]: decode_config_value(SECRET if isinstance(value, Mapping) else value)
        for key, value in config.items()
        if key.startswith(prefix)
    }


def load_stack_file(path: Path) -> DomainConfig:
    return _named_by(path, load_stack_config, stack_values(read_stack_file(path)))


def load_deployment_file(path: Path, config: Mapping[str, Any] | None = None) -> Deployment:
    """``config``: its :func:`read_stack_file`, when read already."""
    return _named_by(path, load_any_config, stack_values(read_stack_file(path) if config is None else config))


def in_file(problems: Iterable[Problem], path: Path) -> InputError:
    """The ``problems`` of a stack file, each field prefixed by the file's name."""
    return InputError(Problem(f"{path.name}: {p.field}", p.value, p.reason) for p in problems)


def _named_by(path: Path, load: Callable[[dict[str, Any]], _Loaded], values: dict[str, Any]) -> _Loaded:
    try:
        return load(values)
    except InputError as exc:
        raise in_file(exc.problems, path) from None
