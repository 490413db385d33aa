"""The JavaScript the policy hosts run at the edge (``.js`` templates beside this module, their
``@NAME@`` filled from the one source of each value), and the store layout the fleet's function reads.

The store holds a policy of at most :data:`KVS_VALUE_LIMIT` bytes under its host name; a larger one
is split under ``<host>~<tag>~<i>`` (``~`` is in no host name) and the host's key holds
``chunks:<n>:<tag>``, the tag being the policy's hash: new chunks are new keys, written first.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Final

from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH
from pulumi_mta_sts.core.txt_values import split_txt

RUNTIME: Final = "cloudfront-js-2.0"
#: S3 keys of the one-domain host: the policy, and the body of every 404.
POLICY_KEY: Final = WELL_KNOWN_PATH.lstrip("/")
NOT_FOUND_KEY: Final = "errors/not-found.txt"
#: Where the one-domain function sends every other request: a key that never exists.
MISSING_PATH: Final = "/errors/no-such-object"
#: The file names the Worker scripts are uploaded as (``WorkersScript.main_module``).
WORKER_MAIN_MODULE: Final = "mta-sts-policy.mjs"
FLEET_MAIN_MODULE: Final = "mta-sts-fleet.mjs"
#: The largest Worker on the Free plan, gzip-compressed (Cloudflare Workers docs, "Limits").
WORKER_SIZE_LIMIT: Final = 3 * 1024 * 1024
#: CloudFront limits (Developer Guide, "Quotas"): a store's value and total.
KVS_VALUE_LIMIT: Final = 1024
KVS_TOTAL_LIMIT: Final = 5 * 1024 * 1024
CHUNK_SEPARATOR: Final = "~"
#: What a chunked host's value starts with (a policy's first line is a field, never this).
CHUNK_PREFIX: Final = "chunks:"
#: 64 KiB in values of at least 1021 bytes, with room to spare; the function refuses more.
MAX_CHUNKS: Final = 80
TAG_LENGTH: Final = 12
#: The fleet hosts' 404 and plain-HTTP bodies (a request's host is never echoed).
NOT_FOUND: Final = (
    f"Not found. This host serves only MTA-STS policies (RFC 8461), at https://<mta-sts host>{WELL_KNOWN_PATH}\n"
)
HTTP_REFUSED: Final = f"HTTPS only. MTA-STS policies are served at https://<mta-sts host>{WELL_KNOWN_PATH}\n"
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


@functools.cache
def _template(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_bytes().decode("utf-8")


def _filled(name: str, raw: Mapping[str, object] | None = None, **values: object) -> str:
    """The template ``name`` with each ``@KEY@`` filled: ``values`` as JSON, ``raw`` as text."""
    fills = {"POLICY_PATH": json.dumps(WELL_KNOWN_PATH), **{key: json.dumps(v) for key, v in values.items()}}
    fills.update((key, str(value)) for key, value in (raw or {}).items())
    return _PLACEHOLDER.sub(lambda match: fills[match[1]], _template(name))


def not_found_text(domain: str) -> str:
    """The body of every 404 of a one-domain host: what the host is for."""
    return (
        f"Not found. This host serves only the MTA-STS policy of {domain} "
        f"(RFC 8461) at https://mta-sts.{domain}{WELL_KNOWN_PATH}\n"
    )


def viewer_request_code() -> str:
    """The one-domain CloudFront Function (``cloudfront-js-2.0``)."""
    return _filled("cloudfront_viewer_request.js", MISSING_PATH=MISSING_PATH)


def fleet_function_code() -> str:
    """The fleet's CloudFront Function, reading the associated store (its ``405`` is unreachable and
    stays so that the deployed code does not change)."""
    return _filled(
        "cloudfront_fleet_function.js",
        CHUNKED=CHUNK_PREFIX,
        SEP=CHUNK_SEPARATOR,
        MAX_CHUNKS=MAX_CHUNKS,
        NOT_FOUND=NOT_FOUND,
        TAG_LENGTH=TAG_LENGTH,
    )


def worker_module(policy_text: str, domain: str, policy_id: str) -> str:
    """The ES module of the Worker serving ``policy_text`` for ``domain``."""
    refused = f"HTTPS only. The MTA-STS policy of {domain} is at https://mta-sts.{domain}{WELL_KNOWN_PATH}\n"
    raw = {"DOMAIN": domain, "POLICY_ID": policy_id}
    return _filled("worker.js", raw, POLICY=policy_text, NOT_FOUND=not_found_text(domain), HTTP_REFUSED=refused)


def fleet_worker_module(policies: Mapping[str, str]) -> str:
    """The ES module serving ``policies`` (host -> policy text) in host order: it changes exactly
    when a policy or the set of hosts does."""
    raw = {"HOSTS": len(policies), "POLICIES": json.dumps(sorted(policies.items()), indent=0)}
    return _filled("fleet_worker.js", raw, NOT_FOUND=NOT_FOUND, HTTP_REFUSED=HTTP_REFUSED)


def compressed_size(source: str) -> int:
    """The script's size as Cloudflare counts it against the limit (gzip)."""
    return len(gzip.compress(source.encode("utf-8"), mtime=0))


def kvs_entries(host: str, policy_text: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs serving ``policy_text`` at ``host``, the host's own key last."""
    encoded = policy_text.encode("utf-8", "surrogatepass")
    if len(encoded) <= KVS_VALUE_LIMIT and not policy_text.startswith(CHUNK_PREFIX):
        return [(host, policy_text)]
    tag = hashlib.sha256(encoded).hexdigest()[:TAG_LENGTH]
    chunks = split_txt(policy_text, KVS_VALUE_LIMIT, "surrogatepass")
    keys = (CHUNK_SEPARATOR.join((host, tag, str(index))) for index in range(1, len(chunks) + 1))
    return [*zip(keys, chunks, strict=True), (host, f"{CHUNK_PREFIX}{len(chunks)}:{tag}")]


def kvs_size(entries: list[tuple[str, str]]) -> int:
    """Bytes the entries take in the store (keys and values)."""
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8", "surrogatepass")) for k, v in entries)
