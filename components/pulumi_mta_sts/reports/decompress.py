"""Gzip detection by magic bytes and streaming decompression with a hard output cap.

A gzip bomb is cut off as soon as the output passes the cap (zlib is asked for at most ``cap + 1``
bytes). The input goes to zlib in slices (views, not copies), so what zlib hands back at a
member's end or at the cap is at most one slice: concatenated members (RFC 1952 §2.2) cost time
linear in the input (feeding each member the whole rest of it took seconds for 4 MiB of tiny ones).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from .limits import DEFAULT_LIMITS, Limits, ReportError

__all__ = ["GZIP_MAGIC", "gunzip_capped", "is_gzip", "report_bytes"]

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
_FIRST_SLICE = 64


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes (labels and file names are not trusted)."""
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, max_output: int) -> bytes:
    """Decompress gzip ``data`` (several concatenated members allowed), refusing more than
    ``max_output`` bytes of output; raises :class:`ReportError` on corrupt or truncated input."""
    out = _CappedOutput(max_output)
    view = memoryview(data)
    position = 0
    while position < len(view):
        if bytes(view[position : position + 2]) != GZIP_MAGIC:
            if bytes(view[position:]).strip(b"\x00"):
                raise ReportError("trailing garbage after the gzip data")
            break
        position = _inflate_member(view, position, out)
    return b"".join(out.pieces)


class _CappedOutput:
    """Decompressed pieces whose total size may not pass ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap, self.total = cap, 0
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


def _inflate_member(view: memoryview, start: int, out: _CappedOutput) -> int:
    """Inflate the gzip member at ``view[start]`` into ``out``; return where the next member (or
    the trailing bytes) starts. The slices grow from ``_FIRST_SLICE`` to ``_CHUNK`` bytes: a small
    member costs a small copy."""
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    position = start
    size = _FIRST_SLICE
    while not decoder.eof:
        if position >= len(view):
            # Ask for any output still buffered inside zlib before deciding it is truncated.
            out.add(_zlib_call(decoder.flush, _CHUNK))
            if not decoder.eof:
                raise ReportError("truncated gzip data (the stream ends before the gzip trailer)")
            break
        piece = view[position : position + size]
        size = min(size * 2, _CHUNK)
        out.add(_zlib_call(decoder.decompress, piece, out.room))
        # What zlib did not take: the unconsumed tail, or after the member's end, unused data.
        position += len(piece) - len(decoder.unconsumed_tail) - len(decoder.unused_data)
    return position


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
