"""Benchmark of the TLS-RPT receiver (not a test: prints figures and ratios, asserts nothing).

1. Reports per second on a generated corpus of 10,000 gzipped reports, in one run, for:
   - the floor: ``json.loads(gzip.decompress(data))`` of the same bytes;
   - ours: ``pulumi_mta_sts.reports.parse_report`` (gzip sniffing, caps, validation, normalisation);
   - parsedmarc: ``parse_smtp_tls_report_json(gzip.decompress(data))`` (its JSON parser) and
     ``parse_report_file(data, offline=True)`` (its entry point for report bytes).
   Targets: ours within 2x of the floor, and at least 10x parsedmarc.
   Also, on 1,000 of those reports each wrapped in a TLS-RPT email: ours ``parse_email`` beside
   parsedmarc's ``parse_report_email(offline=True)``.
2. Each receiver function's archive (the parser's, the reader's: ``receiver/archive.py`` lists what
   each runs) and the cold import time of its handler module (fresh interpreter, the archive only
   on sys.path, median of several runs): as always measured (bytecode cached after the first run),
   and as the Lambda runs it (only /tmp is writable there, AWS's "Security Overview of AWS Lambda",
   so no ``__pycache__`` is written and every cold start compiles: ``-B``). Targets (issue 25):
   the parser's archive <= 30 KB, its cold import <= 50 ms.
3. Memory (issue 11 §2): the handler's peak on the worst input it still accepts (at the item and
   text caps, by HTTPS and by mail), by tracemalloc and as a fresh process's max RSS with boto3
   loaded, printed beside the function's ``memorySize``.
4. Concatenated gzip members: time for 1, 2 and 4 MiB of tiny members, and the bytes handed to
   zlib as a multiple of the input (constant when linear).

Run: ``.venv/bin/python bench/bench_reports.py [--reports N] [--repeat R] [--limits-only] [--archives-only]``
"""

from __future__ import annotations

import argparse
import base64
import email
import email.policy
import functools
import gzip
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from pulumi_mta_sts.receiver.archive import FUNCTIONS, FunctionCode
from pulumi_mta_sts.reports import DEFAULT_LIMITS, Limits, parse_email, parse_report

RESULT_TYPES = ["certificate-expired", "starttls-not-supported", "certificate-host-mismatch", "validation-failure"]
ORGS = ["Google Inc.", "Microsoft Corporation", "Yahoo", "Mail.ru", "Comcast"]


def generate(n: int, seed: int = 8460) -> list[bytes]:
    """``n`` gzipped reports in the shapes real senders use (1-2 policies, 0-3 failure details)."""
    rng = random.Random(seed)
    out: list[bytes] = []
    for i in range(n):
        policies: list[dict[str, Any]] = []
        for p in range(rng.choice([1, 1, 1, 2])):
            details = [
                {
                    "result-type": rng.choice(RESULT_TYPES),
                    "sending-mta-ip": f"192.0.2.{rng.randrange(1, 255)}",
                    "receiving-mx-hostname": f"mx{p + 1}.example.com",
                    "receiving-ip": f"198.51.100.{rng.randrange(1, 255)}",
                    "failed-session-count": rng.randrange(1, 50),
                }
                for _ in range(rng.choice([0, 0, 1, 2, 3]))
            ]
            policy: dict[str, Any] = {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: testing", "mx: mx1.example.com", "max_age: 86401"],
                    "policy-domain": f"example{i % 7}.com",
                    "mx-host": [f"mx{p + 1}.example.com"],
                },
                "summary": {
                    "total-successful-session-count": rng.randrange(0, 100000),
                    "total-failure-session-count": sum(d["failed-session-count"] for d in details),
                },
            }
            if details:
                policy["failure-details"] = details
            policies.append(policy)
        doc = {
            "organization-name": rng.choice(ORGS),
            "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
            "contact-info": "smtp-tls-reporting@example.net",
            "report-id": f"2024-03-01T00:00:00Z_{i}",
            "policies": policies,
        }
        out.append(gzip.compress(json.dumps(doc).encode(), mtime=0))
    return out


def as_email(report: bytes, i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "noreply-smtp-tls-reporting@google.example"
    msg["To"] = "reports@tlsrpt.example.com"
    msg["Subject"] = f"Report Domain: example.com Submitter: google.com Report-ID: <{i}>"
    msg["Message-ID"] = f"<{i}@google.example>"
    msg["Date"] = "Fri, 01 Mar 2024 12:00:00 +0000"
    msg.set_content("This is an aggregate TLS report.")
    msg.add_attachment(
        report, maintype="application", subtype="tlsrpt+gzip", filename=f"google.com!example.com!1!2!{i}.json.gz"
    )
    return msg.as_bytes()


def rate(fn: Callable[[bytes], object], corpus: list[bytes], repeat: int) -> float:
    """Best-of-``repeat`` reports per second."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for data in corpus:
            fn(data)
        best = min(best, time.perf_counter() - start)
    return len(corpus) / best


def cold_import_ms(code: FunctionCode, runs: int = 7, *, compile_each_time: bool = False) -> tuple[float, float]:
    """Median milliseconds to import ``code``'s handler module (and, for context, boto3) in a fresh
    interpreter; with ``compile_each_time``, as on Lambda: no bytecode cache (``-B``, none written)."""
    module = code.handler.rpartition(".")[0]
    flags = ["-B"] if compile_each_time else []
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(code.zip())).extractall(tmp)
        script = (
            "import sys, time\n"
            f"sys.path.insert(0, {tmp!r})\n"
            "t = time.perf_counter()\n"
            f"import {module}\n"
            "a = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "import boto3\n"
            "print(a * 1000, (time.perf_counter() - t) * 1000)\n"
        )
        samples = [
            [
                float(x)
                for x in subprocess.run(
                    [sys.executable, *flags, "-c", script], capture_output=True, text=True, check=True
                ).stdout.split()
            ]
            for _ in range(runs)
        ]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def archive_figures() -> None:
    """Each function's archive and the cold import of its handler (the parser's first: the figures
    this script always printed)."""
    for code in FUNCTIONS:
        archive = code.zip()
        entries = zipfile.ZipFile(io.BytesIO(archive)).namelist()
        cached_ms, boto3_ms = cold_import_ms(code)
        compiled_ms, _ = cold_import_ms(code, compile_each_time=True)
        target = " (target <= 30 KB; <= 50 ms)" if code.name == "parser" else ""
        print(
            f"lambda archive ({code.name}): {len(archive)} bytes ({len(archive) / 1024:.1f} KiB), {len(entries)} files"
        )
        print(
            f"cold import of the {code.name} handler module: {cached_ms:.1f} ms median, {compiled_ms:.1f} ms "
            f"compiling every module as Lambda does{target} (boto3, imported lazily: {boto3_ms:.0f} ms)"
        )


# --- the worst input the receiver still accepts (issue 11 §2: memory) ------------------------------

MIB = 1024 * 1024


def _report_with(details: list[dict[str, Any]], contact: str = "x@example.net") -> dict[str, Any]:
    return {
        "organization-name": "Worst Case Inc.",
        "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
        "contact-info": contact,
        "report-id": "worst-1",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-domain": "example.com", "mx-host": ["mx1.example.com"]},
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": len(details)},
                "failure-details": details,
            }
        ],
    }


def _fill_items(row: dict[str, Any], limits: Limits) -> bytes:
    """A report with as many copies of ``row`` as the item and size caps let through, as JSON."""
    one = json.dumps(row, separators=(",", ":")).encode()
    per_row = one.count(b",") + one.count(b"{") + one.count(b"[") + 1
    rows = min((limits.max_json_items - 100) // per_row, (limits.max_report_bytes - 4096) // (len(one) + 1))
    return json.dumps(_report_with([row] * rows), separators=(",", ":")).encode()


def worst_accepted_bodies(limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """HTTPS bodies at the caps, gzipped (each is accepted: stored, not refused)."""
    minimal = {"result-type": "x", "failed-session-count": 1}
    full = {
        "result-type": "certificate-host-mismatch",
        "sending-mta-ip": "192.0.2.1",
        "receiving-mx-hostname": "mx1.example.com",
        "receiving-mx-helo": "mx1.example.com",
        "receiving-ip": "198.51.100.1",
        "failed-session-count": 1,
        "additional-information": "https://example.net/why",
        "failure-reason-code": "X509_V_ERR_HOSTNAME_MISMATCH",
    }
    astral = "\U0001f4e7" * ((limits.max_report_bytes - 4096) // 4)  # 4 UTF-8 bytes, 12 escaped
    bmp = "\u00e9" * ((limits.max_report_bytes - 4096) // 2)  # 2 UTF-8 bytes, 6 escaped
    texts = {
        "max items, minimal rows": _fill_items(minimal, limits),
        "max items, full rows": _fill_items(full, limits),
        "max text, one astral string": json.dumps(_report_with([], astral), ensure_ascii=False).encode(),
        "max text, one accented string": json.dumps(_report_with([], bmp), ensure_ascii=False).encode(),
    }
    return {name: gzip.compress(text, 9, mtime=0) for name, text in texts.items()}


def worst_accepted_email(limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A message just under the size cap: the worst report as its attachment, the rest filler."""
    body = worst_accepted_bodies(limits)["max items, full rows"]
    msg = EmailMessage()
    msg["Subject"] = "Report Domain: example.com Submitter: worst.example Report-ID: <worst-1>"
    msg.set_content("x")
    msg.add_attachment(body, maintype="application", subtype="tlsrpt+gzip", filename="w!example.com!1!2.json.gz")
    room = limits.max_email_bytes - len(msg.as_bytes()) - 64 * 1024
    msg.add_attachment(b"\0" * (room * 72 // 100), maintype="application", subtype="octet-stream", filename="pad.bin")
    return msg.as_bytes()


def handler_peak_bytes(run: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``run`` ran (tracemalloc), over what was allocated before."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


_CHILD = """
import base64, json, sys
import boto3  # what the Lambda runtime has loaded too
from pulumi_mta_sts.receiver_lambda import handler as lam
def high_water_kib():  # VmHWM: this process's peak RSS (ru_maxrss keeps the forking parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
settings = lam.Settings(bucket="b", domains=frozenset({"example.com"}))
kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
before = high_water_kib()
if kind == "https":
    event = {"requestContext": {"http": {"method": "POST"}, "requestId": "w"},
             "headers": {"content-type": "application/tlsrpt+gzip"},
             "body": base64.b64encode(data).decode(), "isBase64Encoded": True}
    status = lam.handle_http(event, lam.MemoryStore(), settings, emit=lambda d: None)["statusCode"]
else:
    store = lam.MemoryStore({"raw/email/w": (data, "message/rfc822", {})})
    status = 200 if lam.handle_raw("raw/email/w", store, settings, emit=lambda d: None).stored else 400
print(before, high_water_kib(), status)
"""


def child_max_rss_mib(kind: str, data: bytes) -> tuple[float, float, int]:
    """(max RSS after importing boto3 + the handler, max RSS after handling ``data``, status), in
    a fresh interpreter: what the function's memory meter sees, runtime included."""
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, kind, handle.name], capture_output=True, text=True, check=True
        ).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024, int(out[2])


def _drop(document: dict[str, Any]) -> None:
    """Metrics are not what is measured here."""


def memory_figures() -> None:
    """Peak memory of the handler on the worst input it still accepts, beside ``memorySize``."""
    from pulumi_mta_sts.receiver.function import MEMORY_MB
    from pulumi_mta_sts.receiver_lambda import handler as lam

    settings = lam.Settings(bucket="b", domains=frozenset({"example.com"}))
    limits = DEFAULT_LIMITS
    print(
        f"memory: caps {limits.max_json_items} JSON values, {limits.max_report_bytes // MIB} MiB of report text, "
        f"{limits.max_email_bytes // MIB} MiB per message; function memorySize {MEMORY_MB} MB"
    )
    inputs = [("https", name, body) for name, body in worst_accepted_bodies(limits).items()]
    inputs.append(("email", "10 MiB message, worst report attached", worst_accepted_email(limits)))
    for kind, name, data in inputs:
        if kind == "https":
            event = {
                "requestContext": {"http": {"method": "POST"}, "requestId": "w"},
                "headers": {"content-type": "application/tlsrpt+gzip"},
                "body": base64.b64encode(data).decode(),
                "isBase64Encoded": True,
            }
            peak = handler_peak_bytes(functools.partial(lam.handle_http, event, lam.MemoryStore(), settings, _drop))
        else:
            store = lam.MemoryStore({"raw/email/w": (data, "message/rfc822", {})})
            peak = handler_peak_bytes(functools.partial(lam.handle_raw, "raw/email/w", store, settings, _drop))
        base, rss, status = child_max_rss_mib(kind, data)
        print(
            f"  {kind:5} {name:38} {len(data) / 1024:8.0f} KiB in: handler peak {peak / MIB:6.1f} MiB "
            f"(tracemalloc); process max RSS {rss:6.1f} MiB ({base:.1f} before), status {status}; "
            f"memorySize {MEMORY_MB} MB"
        )


class _CountingDecoder:
    """``zlib.decompressobj`` that adds up the input bytes it is handed (in ``fed``)."""

    fed = 0
    real: Callable[..., Any] = staticmethod(zlib.decompressobj)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.inner = _CountingDecoder.real(*args, **kwargs)

    def decompress(self, piece: Any, max_length: int = 0) -> bytes:
        _CountingDecoder.fed += len(piece)
        result: bytes = self.inner.decompress(piece, max_length)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def gzip_member_figures() -> None:
    """Concatenated gzip members: time and bytes handed to zlib for 1-4 MiB of tiny members."""
    from pulumi_mta_sts.reports.decompress import gunzip_capped

    member = gzip.compress(b'{"a":1}', mtime=0)
    for mib in (1, 2, 4):
        data = member * (mib * MIB // len(member))
        _CountingDecoder.fed = 0
        zlib.decompressobj = _CountingDecoder  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            gunzip_capped(data, 64 * MIB)
            seconds = time.perf_counter() - start
        finally:
            zlib.decompressobj = _CountingDecoder.real
        print(
            f"gzip: {mib} MiB of {len(data) // len(member)} members in {seconds:.2f} s; bytes handed to zlib "
            f"{_CountingDecoder.fed / len(data):.2f}x the input (linear: the same ratio at every size)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limits-only", action="store_true", help="only the memory and gzip-member figures")
    parser.add_argument("--archives-only", action="store_true", help="only the functions' archives and cold imports")
    args = parser.parse_args()
    if args.archives_only:
        archive_figures()
        return
    memory_figures()
    gzip_member_figures()
    if args.limits_only:
        return

    import parsedmarc

    corpus = generate(args.reports)
    size = sum(len(d) for d in corpus)
    print(f"corpus: {len(corpus)} gzipped reports, {size / 1024:.0f} KiB compressed, Python {sys.version.split()[0]}")
    floor = rate(lambda d: json.loads(gzip.decompress(d)), corpus, args.repeat)
    ours = rate(parse_report, corpus, args.repeat)
    pm_json = rate(lambda d: parsedmarc.parse_smtp_tls_report_json(gzip.decompress(d)), corpus, args.repeat)
    pm_file = rate(lambda d: parsedmarc.parse_report_file(d, offline=True), corpus, 1)
    print(f"floor  gzip.decompress + json.loads          {floor:10.0f} reports/s")
    print(f"ours   reports.parse_report                  {ours:10.0f} reports/s")
    print(f"parsedmarc parse_smtp_tls_report_json(gunzip) {pm_json:9.0f} reports/s")
    print(f"parsedmarc parse_report_file(bytes, offline)  {pm_file:9.0f} reports/s")
    print(f"ratio floor/ours                 {floor / ours:5.2f}x  (target <= 2x)")
    print(f"ratio ours/parsedmarc json       {ours / pm_json:5.2f}x  (target >= 10x)")
    print(f"ratio ours/parsedmarc file       {ours / pm_file:5.2f}x  (target >= 10x)")
    print(
        f"  (parsedmarc's JSON parser runs at {pm_json / floor:.2f}x the floor, so 10x it would need "
        f"{10 * pm_json / floor:.1f}x the speed of gzip.decompress + json.loads alone: out of reach for any "
        "parser that reads the JSON)"
    )

    emails = [as_email(d, i) for i, d in enumerate(corpus[:1000])]
    ours_mail = rate(lambda m: parse_email(m, "bench"), emails, args.repeat)
    pm_mail = rate(lambda m: parsedmarc.parse_report_email(m, offline=True), emails, 1)
    print(f"emails: ours parse_email                 {ours_mail:10.0f} emails/s")
    print(f"emails: parsedmarc parse_report_email    {pm_mail:10.0f} emails/s")
    mime_floor = rate(lambda m: email.message_from_bytes(m, policy=email.policy.compat32), emails, args.repeat)
    print(f"emails: floor: the standard library's MIME parser alone {mime_floor:10.0f} emails/s")
    print(
        f"ratio ours/parsedmarc email      {ours_mail / pm_mail:5.2f}x  (target >= 10x; the MIME parser alone is "
        f"{mime_floor / pm_mail:.1f}x parsedmarc)"
    )

    archive_figures()


if __name__ == "__main__":
    main()
