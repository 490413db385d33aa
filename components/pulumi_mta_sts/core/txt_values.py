"""TXT record values as each DNS provider wants them written, and what may reach one.

Strings of at most 255 bytes (RFC 1035 §3.3.14), cut at character boundaries, which readers join:
Route53 takes them joined with ``""`` (it adds the outer quotes), Cloudflare quoted and space-separated.
"""

from __future__ import annotations

import unicodedata

from .errors import Problem

MAX_STRING = 255
#: Route53 ``ResourceRecord.Value``: "not to exceed 4,000 characters" as written (Route 53 API Reference).
ROUTE53_MAX_VALUE_CHARS = 4000
#: Cloudflare: "a maximum wire format size of 4,096 bytes" (DNS record types): a TXT record's RDATA.
CLOUDFLARE_MAX_WIRE_BYTES = 4096


def unsafe_character(text: str) -> str | None:
    """The first C* or Z* character but the space: a line or field break to some parser, or a disguise."""
    for char in text:
        if char == " " or "!" <= char <= "~":
            continue
        if char.isascii() or unicodedata.category(char)[0] in "CZ":
            return char
    return None


#: Names of the control characters people meet (``unicodedata`` names no control character).
_CONTROL_NAMES = {"\t": "TAB", "\n": "LF, a line feed", "\r": "CR, a carriage return", "\x85": "NEL, a next line"}


def describe_character(char: str) -> str:
    """``U+2028 (LINE SEPARATOR)``: how a message names a refused character."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    if not name:
        name = "a surrogate" if unicodedata.category(char) == "Cs" else "a control character"
    return f"U+{ord(char):04X} ({name})"


def txt_size_problems(value: str, field: str) -> list[Problem]:
    """A TXT value over Cloudflare's RDATA bytes or Route53's written characters."""
    wire = sum(len(piece.encode("utf-8")) + 1 for piece in split_txt(value))
    written = len(route53_txt(value)) + 2  # the provider adds the outer quotes
    if wire <= CLOUDFLARE_MAX_WIRE_BYTES and written <= ROUTE53_MAX_VALUE_CHARS:
        return []
    size = len(value.encode("utf-8"))
    return [
        Problem(
            field,
            value if size <= 200 else value[:200] + "...",
            f"makes a TXT value of {size} bytes ({wire} bytes on the wire, {written} characters for "
            f"Route53); DNS providers accept at most {CLOUDFLARE_MAX_WIRE_BYTES} bytes (Cloudflare) and "
            f"{ROUTE53_MAX_VALUE_CHARS} characters (Route53): give fewer or shorter values",
        )
    ]


def split_txt(value: str, limit: int = MAX_STRING, errors: str = "strict") -> list[str]:
    """``value`` in pieces of at most ``limit`` UTF-8 bytes (at least one); ``errors`` as ``str.encode``'s."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in value:
        width = len(char.encode("utf-8", errors))
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return pieces


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def route53_txt(value: str) -> str:
    return '""'.join(_escape(piece) for piece in split_txt(value))


def cloudflare_txt(value: str) -> str:
    return " ".join(f'"{_escape(piece)}"' for piece in split_txt(value))


def decode_txt(written: str) -> str:
    """The value DNS readers see for one written by :func:`route53_txt` or :func:`cloudflare_txt`."""
    quoted = written.strip().startswith('"')
    text = written.strip() if quoted else written
    # Route53 form: the provider adds the outer quotes, so inside we start within a string.
    inside = not quoted
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\" and (escaped := next(chars, None)) is not None:
            out.append(escaped)
        elif char == '"':
            inside = not inside
        elif inside:
            out.append(char)
    return "".join(out)
