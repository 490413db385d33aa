"""A receiver function's archive as a deflated zip (sorted, fixed timestamps): what the tests unpack
and run, and what bench/ measures (Pulumi zips :meth:`FunctionCode.files` itself when it deploys)."""

from __future__ import annotations

import io
import zipfile

from pulumi_mta_sts.receiver.archive import FunctionCode

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def archive_zip(code: FunctionCode) -> bytes:
    """``code``'s files as a zip, byte for byte the same on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in sorted(code.files().items()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
