"""Gzip detection by magic bytes and streaming decompression with a hard output cap.

A gzip bomb is cut off as soon as the output passes the cap: zlib is asked for at most
``cap + 1`` bytes at a time, so memory never holds more than that.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

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
    out = _CappedOutput(max_output)
    pending = data
    while pending:
        pending = _inflate_member(pending, out)
        if pending and not is_gzip(pending):
            if pending.strip(b"\x00"):
                raise ReportError("trailing garbage after the gzip data")
            break
    return b"".join(out.pieces)


class _CappedOutput:
    """Decompressed pieces whose total size may not pass ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.total = 0
        self.pieces: list[bytes] = []

    @property
    def room(self) -> int:
        """How much output zlib may return: one byte past the cap, so exceeding it is seen."""
        return self.cap - self.total + 1

    def add(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.total > self.cap:
            raise ReportError(f"decompressed report exceeds the limit of {self.cap} bytes")
        self.pieces.append(piece)


def _inflate_member(data: bytes, out: _CappedOutput) -> bytes:
    """Inflate the gzip member at the start of ``data`` into ``out``; return the bytes after it."""
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    chunk_in = data
    while not decoder.eof:
        out.add(_zlib_call(decoder.decompress, chunk_in, out.room))
        chunk_in = decoder.unconsumed_tail
        if not chunk_in and not decoder.eof:
            # Ask for any output still buffered inside zlib before deciding it is truncated.
            out.add(_zlib_call(decoder.flush, _CHUNK))
            if not decoder.eof:
                raise ReportError("truncated gzip data (the stream ends before the gzip trailer)")
    return decoder.unused_data


def _zlib_call(method: Callable[..., bytes], *args: object) -> bytes:
    try:
        return method(*args)
    except zlib.error as exc:
        raise ReportError(f"corrupt gzip data ({exc})") from None


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
