"""Run the shared hosts' edge code under Node (tests only): the CloudFront Function with the
``cloudfront`` module's ``kvs()`` stubbed by an in-memory store, and the Worker module with
fetch-style ``Request``/``Response`` (built into Node 20)."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.missing import needs_node

__all__ = ["needs_node", "run_function", "run_worker"]

#: The ``cloudfront`` module as documented for cloudfront-js-2.0: ``kvs().get(key, {format})``
#: resolves to the value, and rejects when the key does not exist; every key read is recorded.
KVS_STUB = """
export const reads = [];
export default {
  kvs() {
    return {
      async get(key, options) {
        reads.push(key);
        const store = globalThis.__KVS__;
        if (!Object.prototype.hasOwnProperty.call(store, key)) { throw new Error("key not found: " + key); }
        if (options && options.format && options.format !== "string") { throw new Error("format"); }
        return store[key];
      },
      async exists(key) { return Object.prototype.hasOwnProperty.call(globalThis.__KVS__, key); },
    };
  },
};
"""

FUNCTION_HARNESS = """
let text = "";
for await (const chunk of process.stdin) { text += chunk; }
const input = JSON.parse(text);
globalThis.__KVS__ = input.store;
const stub = await import("cloudfront");
const { handler } = await import("./function.mjs");
const out = [];
for (const r of input.requests) {
  stub.reads.length = 0;
  const headers = r.host === null ? {} : { host: { value: r.host } };
  const event = { version: "1.0", context: { eventType: "viewer-request" }, viewer: { ip: "192.0.2.1" },
    request: { method: r.method, uri: r.uri, querystring: {}, headers, cookies: {} } };
  const res = await handler(event);
  const body = res.body === undefined ? null : Buffer.from(res.body.data, "utf8").toString("base64");
  const headersOut = Object.fromEntries(Object.entries(res.headers || {}).map(([k, v]) => [k, v.value]));
  const encoding = res.body ? res.body.encoding : null;
  out.push({ status: res.statusCode, headers: headersOut, body, encoding, reads: [...stub.reads] });
}
process.stdout.write(JSON.stringify(out));
"""


def run_function(
    workdir: Path, code: str, store: Mapping[str, str], requests: Sequence[tuple[str, str, str | None]]
) -> list[dict[str, Any]]:
    """Answers of the function ``code`` to ``(method, uri, host header or None)`` requests, with
    ``store`` as the KeyValueStore; ``body`` is bytes (``None`` when the response has none)."""
    module = workdir / "node_modules" / "cloudfront"
    module.mkdir(parents=True, exist_ok=True)
    (module / "package.json").write_text('{"name": "cloudfront", "type": "module", "main": "index.mjs"}')
    (module / "index.mjs").write_text(KVS_STUB)
    (workdir / "function.mjs").write_text(code + "\nexport { handler };\n", encoding="utf-8")
    (workdir / "harness.mjs").write_text(FUNCTION_HARNESS)
    payload = json.dumps(
        {"store": dict(store), "requests": [{"method": m, "uri": u, "host": h} for m, u, h in requests]}
    )
    done = subprocess.run(
        ["node", "harness.mjs"], input=payload, capture_output=True, text=True, timeout=120, cwd=workdir, check=False
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    for r in results:
        r["body"] = None if r["body"] is None else base64.b64decode(r["body"])
    return results


WORKER_HARNESS = """
let text = "";
for await (const chunk of process.stdin) { text += chunk; }
const input = JSON.parse(text);
const worker = (await import("./worker.mjs")).default;
const out = [];
for (const r of input.requests) {
  const headers = r.host === null ? {} : { host: r.host };
  const res = await worker.fetch(new Request(r.url, { method: r.method, headers }), {}, {});
  const body = Buffer.from(await res.arrayBuffer()).toString("base64");
  out.push({ status: res.status, headers: Object.fromEntries(res.headers), body });
}
process.stdout.write(JSON.stringify(out));
"""


def run_worker(workdir: Path, source: str, requests: Sequence[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    """Answers of the Worker module ``source`` to ``(method, url, host header or None)`` requests."""
    (workdir / "worker.mjs").write_text(source, encoding="utf-8")
    (workdir / "harness.mjs").write_text(WORKER_HARNESS)
    payload = json.dumps({"requests": [{"method": m, "url": u, "host": h} for m, u, h in requests]})
    done = subprocess.run(
        ["node", "harness.mjs"], input=payload, capture_output=True, text=True, timeout=120, cwd=workdir, check=False
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    for r in results:
        r["body"] = base64.b64decode(r["body"])
    return results
