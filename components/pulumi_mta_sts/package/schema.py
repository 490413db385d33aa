"""What the component provider hosts, and the package schema exactly as Pulumi infers it (the SDK's
own ``ComponentProvider``, whose constructor only runs the analyzer).
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider

from pulumi_mta_sts import __version__
from pulumi_mta_sts.core.bounded_json import load_bounded_json

from .mtasts import MtaSts
from .mtasts_fleet import MtaStsFleet
from .tlsrpt_receiver import TlsRptReceiver

#: The package name: the type tokens are ``mta-sts:index:<Component>``.
PACKAGE_NAME = "mta-sts"


#: The components the provider hosts (``provider/__main__.py``).
COMPONENTS: list[type[pulumi.ComponentResource]] = [MtaSts, TlsRptReceiver, MtaStsFleet]


_PEP440 = re.compile(
    r"(?:\d+!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:(?P<pre>a|b|rc)(?P<pre_n>\d+))?"
    r"(?:\.post(?P<post>\d+))?"
    r"(?:\.dev(?P<dev>\d+))?"
    r"(?:\+(?P<local>[a-z0-9.]+))?"
)
_PRE_NAMES = {"a": "alpha", "b": "beta", "rc": "rc"}


def semver(version: str) -> str:
    """A PEP 440 version (what pip and setuptools-scm write) as the semantic version Pulumi
    requires of a plugin and a package schema: ``1.2.0`` stays, ``1.2.1.dev3+gabc`` becomes
    ``1.2.1-dev.3+gabc``, ``1.2.0rc1`` ``1.2.0-rc.1``; a post release and a local part go into the
    build metadata. Order is kept where both define one (a dev or pre-release before its release)."""
    match = _PEP440.fullmatch(version.strip().lower())
    if match is None:
        return "0.0.0+" + (re.sub(r"[^0-9a-z]+", ".", version.lower()).strip(".") or "unknown")
    parts = [int(n) for n in match["release"].split(".")][:3]
    core = ".".join(str(n) for n in [*parts, 0, 0][:3])
    pre = [f"{_PRE_NAMES[match['pre']]}.{match['pre_n']}"] if match["pre"] else []
    pre += [f"dev.{match['dev']}"] if match["dev"] is not None else []
    build = [f"post.{match['post']}"] if match["post"] is not None else []
    build += [match["local"]] if match["local"] else []
    return core + ("-" + ".".join(pre) if pre else "") + ("+" + ".".join(build) if build else "")


#: The package's version as Pulumi reads it: the installed distribution's, as a semantic version.
PACKAGE_VERSION = semver(__version__)


def package_schema(version: str = PACKAGE_VERSION) -> dict[str, Any]:
    """The package schema Pulumi's analyzer infers from :data:`COMPONENTS` (JSON-ready)."""
    provider = ComponentProvider(COMPONENTS, PACKAGE_NAME, version=version)
    schema: dict[str, Any] = load_bounded_json(provider.schema or "{}")
    return schema
