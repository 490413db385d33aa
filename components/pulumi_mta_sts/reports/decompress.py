"""Gzip detection by magic bytes and streaming decompression with a hard output cap.

A gzip bomb is cut off as soon as the output passes the cap: zlib is asked for at most
``cap + 1`` bytes at a time, so memory never holds more than that.
"""

from __future__ import annotations

import zlib

from .limits import DEFAULT_LIMITS, Limits, ReportError

__all__ = ["GZIP_MAGIC", "gunzip_capped", "is_gzip", "report_bytes"]

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes (labels and file names are not trusted)."""
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, max_output: int) -> bytes:
    """Decompress gzip ``data`` (several concatenated members allowed), refusing more than
    ``max_output`` bytes of output; raises :class:`ReportError` on corrupt or truncated input."""
    out: list[bytes] = []
    total = 0
    pending = data
    while pending:
        decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        chunk_in = pending
        while True:
            try:
                piece = decoder.decompress(chunk_in, max_output - total + 1)
            except zlib.error as exc:
                raise ReportError(f"corrupt gzip data ({exc})") from None
            total += len(piece)
            if total > max_output:
                raise ReportError(f"decompressed report exceeds the limit of {max_output} bytes")
            out.append(piece)
            if decoder.eof:
                break
            chunk_in = decoder.unconsumed_tail
            if not chunk_in:
                # Ask for any output still buffered inside zlib before deciding it is truncated.
                try:
                    piece = decoder.flush(_CHUNK)
                except zlib.error as exc:  # pragma: no cover - zlib reports this on decompress
                    raise ReportError(f"corrupt gzip data ({exc})") from None
                total += len(piece)
                if total > max_output:
                    raise ReportError(f"decompressed report exceeds the limit of {max_output} bytes")
                out.append(piece)
                if not decoder.eof:
                    raise ReportError("truncated gzip data (the stream ends before the gzip trailer)")
                break
        pending = decoder.unused_data
        if pending and not is_gzip(pending):
            if pending.strip(b"\x00"):
                raise ReportError("trailing garbage after the gzip data")
            break
    return b"".join(out)


def report_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The JSON text of a report body: gunzipped when it starts with the gzip magic bytes,
    as is otherwise. Enforces ``max_input_bytes`` and ``max_report_bytes``."""
    if len(data) > limits.max_input_bytes:
        raise ReportError(f"report body is {len(data)} bytes; the limit is {limits.max_input_bytes}")
    if is_gzip(data):
        return gunzip_capped(data, limits.max_report_bytes)
    if len(data) > limits.max_report_bytes:
        raise ReportError(f"report is {len(data)} bytes; the limit is {limits.max_report_bytes}")
    return data
