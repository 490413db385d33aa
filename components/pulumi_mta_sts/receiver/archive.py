"""The receiver Lambda's deployment archive: the handler, the pure ``reports`` package, the
escaping it writes text with (``escape``) and the one module of the core they use
(:mod:`pulumi_mta_sts.core.bounded_json`, the JSON reading rule, standard library only),
nothing else (no Pulumi, no third-party code). Shared by the Pulumi component and the benchmark.

The archive is deterministic (sorted entries, fixed timestamps), so an unchanged source gives
an unchanged archive and no redeploy.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

__all__ = ["HANDLER", "RUNTIME", "SHIPPED_CORE", "archive_files", "build_zip"]

#: The function's handler setting.
HANDLER = "pulumi_mta_sts.receiver_lambda.handler.handler"
#: The Lambda runtime the handler is written for (standard library + boto3).
RUNTIME = "python3.12"

_PACKAGE_DIR = Path(__file__).parent.parent  # the pulumi_mta_sts package
_SHIPPED = ("escape", "reports", "receiver_lambda")
#: Modules of the core the shipped code imports (each standard library only); the core's real
#: ``__init__`` imports all of it (and ``idna``), so the archive gets a stub in its place.
SHIPPED_CORE = ("bounded_json",)
#: The top package's ``__init__`` is replaced: the real one may grow imports the Lambda must not need.
_STUB_INIT = b'"""The part of pulumi-mta-sts shipped in the TLS-RPT receiver Lambda."""\n'
_STUB_CORE_INIT = b'"""The modules of the core the TLS-RPT receiver Lambda uses."""\n'
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def archive_files() -> dict[str, bytes]:
    """Archive path → content, for every file the function needs."""
    files: dict[str, bytes] = {
        "pulumi_mta_sts/__init__.py": _STUB_INIT,
        "pulumi_mta_sts/core/__init__.py": _STUB_CORE_INIT,
    }
    for module in SHIPPED_CORE:
        files[f"pulumi_mta_sts/core/{module}.py"] = (_PACKAGE_DIR / "core" / f"{module}.py").read_bytes()
    for sub in _SHIPPED:
        for path in sorted((_PACKAGE_DIR / sub).glob("*.py")):
            files[f"pulumi_mta_sts/{sub}/{path.name}"] = path.read_bytes()
    return files


def build_zip(files: dict[str, bytes] | None = None) -> bytes:
    """The deployment zip (deflated, sorted, fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in sorted((files or archive_files()).items()):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
