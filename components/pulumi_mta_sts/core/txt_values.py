"""TXT record values as each DNS provider wants them (pure; no Pulumi).

A TXT record is a list of character-strings of at most 255 bytes each (RFC 1035 §3.3.14);
readers of MTA-STS / TLS-RPT records join them without separators (RFC 8461 §3.1, RFC 8460
§3). How a value is written depends on the provider API:

- Route53 via pulumi-aws: each entry of ``records`` is one TXT record; the provider wraps it in
  double quotes, so a value longer than 255 bytes is split into chunks joined with ``""``
  (``first255""rest``), which Route53 reads as two character-strings. Quotes and backslashes
  inside the value are escaped with a backslash.
- Cloudflare (``DnsRecord.content``): the content is a list of quoted character-strings
  separated by a space (``"first255" "rest"``), quotes and backslashes escaped.

Chunks are cut on UTF-8 byte boundaries and never inside a multi-byte character.
"""

from __future__ import annotations

__all__ = ["MAX_STRING", "cloudflare_txt", "decode_txt", "route53_txt", "split_txt"]

MAX_STRING = 255


def split_txt(value: str, limit: int = MAX_STRING) -> list[str]:
    """``value`` cut into pieces of at most ``limit`` UTF-8 bytes (at least one piece)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in value:
        width = len(char.encode("utf-8"))
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
    """One entry of ``aws.route53.Record.records`` for the TXT value ``value``."""
    return '""'.join(_escape(piece) for piece in split_txt(value))


def cloudflare_txt(value: str) -> str:
    """``cloudflare.DnsRecord.content`` for the TXT value ``value``."""
    return " ".join(f'"{_escape(piece)}"' for piece in split_txt(value))


def decode_txt(written: str) -> str:
    """The value DNS readers see for a value written by :func:`route53_txt` (unquoted, pieces
    joined with ``""``) or :func:`cloudflare_txt` (quoted pieces): the character-strings joined."""
    quoted = written.strip().startswith('"')
    text = written.strip() if quoted else written
    # Route53 form: the provider adds the outer quotes, so inside we start within a string.
    inside = not quoted
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
        elif char == '"':
            inside = not inside
            index += 1
        else:
            if inside:
                out.append(char)
            index += 1
    return "".join(out)
