"""The CloudFront Function of the shared AWS host, and what it reads from its KeyValueStore (pure).

One viewer-request function (``cloudfront-js-2.0``, the runtime that can read a KeyValueStore)
answers every request of every shared distribution itself; nothing reaches the origin:

- ``GET`` / ``HEAD /.well-known/mta-sts.txt`` for a host the store knows: ``200``,
  ``text/plain; charset=utf-8``, exactly the stored policy bytes (``HEAD``: no body);
- any other path, an unknown host, or a ``Host`` header that is not a plain host name: ``404``;
- never a redirect (RFC 8461 §3.3: senders do not follow them).

Another method never reaches the function: the distributions allow only ``GET`` and ``HEAD``
(:func:`~.cloudfront.cache_behaviour`), so CloudFront refuses it itself with ``403``. The code's own
``405`` answer for another method on the policy path is therefore unreachable; it is kept so that the
deployed function does not change (allowing every method on every distribution would update them all
for no sender's benefit: senders only ``GET``).

The ``Host`` header is matched case-insensitively, without a port and without a trailing dot;
anything but letters, digits, dots and dashes is unknown (so a request can never name a chunk
key, which holds ``~``).

The store (keyed by host name, :func:`kvs_entries`) holds a policy of up to
:data:`KVS_VALUE_LIMIT` bytes as the value of its host name. A larger policy (up to the 64 KiB
senders fetch) is split into chunks at character boundaries, stored under
``<host>~<tag>~<i>`` (``~`` is never in a host name and needs no escaping in the store
API's URLs); the host's own key then holds ``chunks:<n>:<tag>``. ``tag`` is a hash
of the policy, so a changed large policy is written under new keys first and the host's key
switches to it in one write: no reader ever joins chunks of two versions.
"""

from __future__ import annotations

import hashlib
import json
from typing import Final

from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH

from .cloudfront_function import RUNTIME

__all__ = [
    "CHUNK_PREFIX",
    "CHUNK_SEPARATOR",
    "FUNCTION_CODE_LIMIT",
    "KVS_KEY_LIMIT",
    "KVS_TOTAL_LIMIT",
    "KVS_VALUE_LIMIT",
    "MAX_CHUNKS",
    "NOT_FOUND",
    "RUNTIME",
    "fleet_function_code",
    "kvs_entries",
    "kvs_size",
    "split_utf8",
]

#: CloudFront KeyValueStore limits (Amazon CloudFront Developer Guide, "Quotas" and "File
#: format for key-value pairs"): a value of at most 1 KB, a key of at most 512 bytes, 5 MB in all.
KVS_VALUE_LIMIT: Final = 1024
KVS_KEY_LIMIT: Final = 512
KVS_TOTAL_LIMIT: Final = 5 * 1024 * 1024
#: The largest CloudFront Function code (Developer Guide, "Quotas on CloudFront Functions").
FUNCTION_CODE_LIMIT: Final = 10 * 1024
#: Between a chunk key's host, tag and number: never in a host name (the function only looks up
#: names of letters, digits, dots and dashes) and unreserved in URLs (RFC 3986), as the store
#: API puts keys in its URL paths.
CHUNK_SEPARATOR: Final = "~"
#: What a chunked host's own value starts with (a policy's first line is a field, never this).
CHUNK_PREFIX: Final = "chunks:"
#: The most chunks a policy may have: 64 KiB in values of >= 1021 bytes (a 4-byte character
#: is never split), with room to spare; the function refuses a count above it.
MAX_CHUNKS: Final = 80
TAG_LENGTH: Final = 12
#: The body of every 404 (the Host header is never echoed).
NOT_FOUND: Final = (
    f"Not found. This host serves only MTA-STS policies (RFC 8461), at https://<mta-sts host>{WELL_KNOWN_PATH}\n"
)


def split_utf8(text: str, limit: int = KVS_VALUE_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, never splitting a character;
    joined, they are ``text`` again."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode("utf-8", "surrogatepass"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current or not pieces:
        pieces.append("".join(current))
    return pieces


def _tag(policy_text: str) -> str:
    return hashlib.sha256(policy_text.encode("utf-8", "surrogatepass")).hexdigest()[:TAG_LENGTH]


def kvs_entries(host: str, policy_text: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs that serve ``policy_text`` at ``host`` (see the module docs):
    the chunks first, the host's own key last (it must be written after them)."""
    encoded = policy_text.encode("utf-8", "surrogatepass")
    if len(encoded) <= KVS_VALUE_LIMIT and not policy_text.startswith(CHUNK_PREFIX):
        return [(host, policy_text)]
    tag = _tag(policy_text)
    chunks = split_utf8(policy_text)
    parts = [
        (f"{host}{CHUNK_SEPARATOR}{tag}{CHUNK_SEPARATOR}{index}", chunk) for index, chunk in enumerate(chunks, start=1)
    ]
    return [*parts, (host, f"{CHUNK_PREFIX}{len(chunks)}:{tag}")]


def kvs_size(entries: list[tuple[str, str]]) -> int:
    """Bytes the entries take in the store (keys and values)."""
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8", "surrogatepass")) for k, v in entries)


def fleet_function_code() -> str:
    """The function's JavaScript (``cloudfront-js-2.0``: ES 5.1 with ``async``/``await`` and
    ``import``; the ``cloudfront`` module's ``kvs()`` reads the associated store)."""
    return f"""// pulumi-mta-sts: the MTA-STS policy of every host of the fleet, from the KeyValueStore.
import cf from 'cloudfront';
var kvs = cf.kvs();
var POLICY_PATH = {json.dumps(WELL_KNOWN_PATH)};
var CHUNKED = {json.dumps(CHUNK_PREFIX)};
var SEP = {json.dumps(CHUNK_SEPARATOR)};
var MAX_CHUNKS = {MAX_CHUNKS};
var NOT_FOUND = {json.dumps(NOT_FOUND)};
var HOST = /^[a-z0-9.-]{{1,253}}$/;
var PORT = /^[0-9]{{1,5}}$/;
var COUNT = /^([0-9]{{1,3}}):([0-9a-f]{{{TAG_LENGTH}}})$/;

function reply(status, text, body, method, extra) {{
  var headers = {{
    'content-type': {{ value: 'text/plain; charset=utf-8' }},
    'cache-control': {{ value: 'no-store' }},
    'x-content-type-options': {{ value: 'nosniff' }}
  }};
  for (var name in extra) {{ headers[name] = {{ value: extra[name] }}; }}
  var response = {{ statusCode: status, statusDescription: text, headers: headers }};
  if (method !== 'HEAD') {{ response.body = {{ encoding: 'text', data: body }}; }}
  return response;
}}

function hostOf(request) {{
  var header = request.headers.host;
  if (!header || typeof header.value !== 'string') {{ return null; }}
  var host = header.value.toLowerCase();
  var colon = host.indexOf(':');
  if (colon >= 0) {{
    if (!PORT.test(host.slice(colon + 1))) {{ return null; }}
    host = host.slice(0, colon);
  }}
  if (host.charAt(host.length - 1) === '.') {{ host = host.slice(0, -1); }}
  return HOST.test(host) ? host : null;
}}

async function lookup(key) {{
  try {{ return await kvs.get(key, {{ format: 'string' }}); }} catch (e) {{ return null; }}
}}

async function policyOf(host) {{
  var value = await lookup(host);
  if (value === null || value.indexOf(CHUNKED) !== 0) {{ return value; }}
  var count = COUNT.exec(value.slice(CHUNKED.length));
  if (count === null) {{ return null; }}
  var n = parseInt(count[1], 10);
  if (n < 1 || n > MAX_CHUNKS) {{ return null; }}
  var parts = [];
  for (var i = 1; i <= n; i++) {{
    var part = await lookup(host + SEP + count[2] + SEP + i);
    if (part === null) {{ return null; }}
    parts.push(part);
  }}
  return parts.join('');
}}

async function handler(event) {{
  var request = event.request;
  var method = request.method;
  if (request.uri !== POLICY_PATH) {{ return reply(404, 'Not Found', NOT_FOUND, method, {{}}); }}
  if (method !== 'GET' && method !== 'HEAD') {{
    return reply(405, 'Method Not Allowed', 'Method not allowed. Use GET.\\n', method, {{ allow: 'GET, HEAD' }});
  }}
  var host = hostOf(request);
  var policy = host === null ? null : await policyOf(host);
  if (policy === null) {{ return reply(404, 'Not Found', NOT_FOUND, method, {{}}); }}
  return reply(200, 'OK', policy, method, {{}});
}}
"""
