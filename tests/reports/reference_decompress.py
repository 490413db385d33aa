"""The gzip reader as it was before issue 25's single-call first member (main at 32106f3), kept as the reference
the fast one must agree with (tests/reports/test_decompress_reference.py). Not used by the package."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS, Limits, ReportError

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
_FIRST_SLICE = 64


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes (labels and file names are not trusted)."""
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, max_output: int) -> bytes:
    """``data`` gunzipped (members concatenated) into at most ``max_output`` bytes, or :class:`ReportError`."""
    if data[:2] == GZIP_MAGIC and data.find(GZIP_MAGIC, 2) < 0:  # one member, as a report is
        whole = _one_member(data, max_output)
        if whole is not None:
            return whole
    out = _CappedOutput(max_output)
    view = memoryview(data)
    position, size = 0, len(view)
    while position < len(view):
        if bytes(view[position : position + 2]) != GZIP_MAGIC:
            if bytes(view[position:]).strip(b"\x00"):
                raise ReportError("trailing garbage after the gzip data")
            break
        position = _inflate_member(view, position, out, size)
        size = _FIRST_SLICE
    return out.pieces[0] if len(out.pieces) == 1 else b"".join(out.pieces)


def _one_member(data: bytes, max_output: int) -> bytes | None:
    """The member in one call, refused as the loop below refuses it; ``None``: the loop must read it."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    whole = _zlib_call(decoder.decompress, data, max_output + 1)
    if len(whole) > max_output:
        raise _over_cap(max_output)
    return whole if decoder.eof and not decoder.unused_data else None


def _over_cap(cap: int) -> ReportError:
    return ReportError(f"decompressed report exceeds the limit of {cap} bytes")


class _CappedOutput:
    def __init__(self, cap: int) -> None:
        self.cap, self.total = cap, 0
        self.pieces: list[bytes] = []

    def add(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.total > self.cap:
            raise _over_cap(self.cap)
        self.pieces.append(piece)


def _inflate_member(view: memoryview, start: int, out: _CappedOutput, size: int) -> int:
    """Inflate the member at ``view[start]`` into ``out``; where the next member (or trailing bytes) starts."""
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    position = start
    while not decoder.eof:
        if position >= len(view):
            # Ask for any output still buffered inside zlib before deciding it is truncated.
            out.add(_zlib_call(decoder.flush, _CHUNK))
            if not decoder.eof:
                raise ReportError("truncated gzip data (the stream ends before the gzip trailer)")
            break
        piece = view[position : position + size]
        size = max(min(size * 2, _CHUNK), size)
        out.add(_zlib_call(decoder.decompress, piece, out.cap - out.total + 1))  # 1 past the cap: going over is seen
        # What zlib did not take: the unconsumed tail, or after the member's end, unused data.
        position += len(piece) - len(decoder.unconsumed_tail) - len(decoder.unused_data)
    return position


def _zlib_call(method: Callable[..., bytes], *args: object) -> bytes:
    try:
        return method(*args)
    except zlib.error as exc:
        raise ReportError(f"corrupt gzip data ({exc})") from None


def report_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A report body's JSON text (gunzipped by its magic bytes) within its input and report limits."""
    if len(data) > limits.max_input_bytes:
        raise ReportError(f"report body is {len(data)} bytes; the limit is {limits.max_input_bytes}")
    if is_gzip(data):
        return gunzip_capped(data, limits.max_report_bytes)
    if len(data) > limits.max_report_bytes:
        raise ReportError(f"report is {len(data)} bytes; the limit is {limits.max_report_bytes}")
    return data
