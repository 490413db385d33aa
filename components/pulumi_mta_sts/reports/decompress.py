"""Gzip by magic bytes, decompressed under a hard cap (zlib asked for at most ``cap + 1`` bytes). Members
after the first (RFC 1952 §2.2) get slices growing from 64 bytes: time stays linear however many there are."""

from __future__ import annotations

import zlib

from .limits import DEFAULT_LIMITS, Limits, ReportError

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
_FIRST_SLICE = 64
_GZIP_WBITS = 16 + zlib.MAX_WBITS


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes (labels and file names are not trusted)."""
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, max_output: int) -> bytes:
    """``data`` gunzipped (members concatenated) into at most ``max_output`` bytes, or :class:`ReportError`."""
    decoder, is_member = zlib.decompressobj(_GZIP_WBITS), data[:2] == GZIP_MAGIC
    try:
        first = decoder.decompress(data, max_output + 1) if is_member else b""  # 1 past the cap: going over is seen
        if decoder.eof and not decoder.unused_data and len(first) <= max_output:
            return first  # one member, as a report is: one call
        out, view, position = _CappedOutput(max_output), memoryview(data), 0
        if is_member:  # the first member goes on where that call stopped (each byte is fed once), then the rest
            out.add(first)
            position = len(data) - len(decoder.unconsumed_tail) - len(decoder.unused_data)
            position = _inflate_member(view, position, out, decoder)
        while position < len(view):
            if bytes(view[position : position + 2]) != GZIP_MAGIC:
                if bytes(view[position:]).strip(b"\x00"):
                    raise ReportError("trailing garbage after the gzip data")
                break
            position = _inflate_member(view, position, out, zlib.decompressobj(_GZIP_WBITS))
    except zlib.error as exc:
        raise ReportError(f"corrupt gzip data ({exc})") from None
    return out.pieces[0] if len(out.pieces) == 1 else b"".join(out.pieces)


class _CappedOutput:
    def __init__(self, cap: int) -> None:
        self.cap, self.total = cap, 0
        self.pieces: list[bytes] = []

    def add(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.total > self.cap:
            raise ReportError(f"decompressed report exceeds the limit of {self.cap} bytes")
        self.pieces.append(piece)


def _inflate_member(view: memoryview, start: int, out: _CappedOutput, decoder: zlib._Decompress) -> int:
    """Inflate the member at ``view[start]`` into ``out``; where the next member (or trailing bytes) starts."""
    position, size = start, _FIRST_SLICE
    while not decoder.eof:
        if position >= len(view):
            # Ask for any output still buffered inside zlib before deciding it is truncated.
            out.add(decoder.flush(_CHUNK))
            if not decoder.eof:
                raise ReportError("truncated gzip data (the stream ends before the gzip trailer)")
            break
        piece = view[position : position + size]
        size = max(min(size * 2, _CHUNK), size)
        out.add(decoder.decompress(piece, out.cap - out.total + 1))  # 1 past the cap: going over is seen
        # What zlib did not take: the unconsumed tail, or after the member's end, unused data.
        position += len(piece) - len(decoder.unconsumed_tail) - len(decoder.unused_data)
    return position


def report_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A report body's JSON text (gunzipped by its magic bytes) within its input and report limits."""
    if len(data) > limits.max_input_bytes:
        raise ReportError(f"report body is {len(data)} bytes; the limit is {limits.max_input_bytes}")
    if data[:2] == GZIP_MAGIC:
        return gunzip_capped(data, limits.max_report_bytes)
    if len(data) > limits.max_report_bytes:
        raise ReportError(f"report is {len(data)} bytes; the limit is {limits.max_report_bytes}")
    return data
