"""Benchmark of the TLS-RPT receiver (not a test: prints figures and ratios, asserts nothing).

1. ``reports.parse_report`` against its floor (issue 25: at most 1.5x): the floor is
   ``gzip.decompress`` + decoding the JSON with the decoder the parser uses (the core's bounded
   decoder; ``json.loads`` at a layout before it). Measured on a generated corpus of gzipped reports,
   on the real senders' JSON reports (``*.json``, ``*.json.gz`` of ``shared/tlsrpt-realworld/files``,
   read in place; ``--realworld DIR`` or ``MTA_STS_REALWORLD_REPORTS`` elsewhere) and on the same
   folder's reports as delivered (the report attachments of its ``*.eml`` mails, as sent), each in a fresh
   process that times floor and parser back to back on each chunk of 50 reports (each first every
   other round), the fastest of ``--repeat`` per chunk. Beside it, what bounds it: every report read as the
   first of its day, the output built with no check (after the floor's reading, and after the parser's
   own reading within its limits and bounds). ``--baseline DIR`` (a
   ``components`` folder of another checkout, e.g. the previous layout) measures it too, in the same
   run (repeatable). In the full run, parsedmarc beside it (target >= 10x), and e-mails by ``parse_email``.
2. Each receiver function's archive (``receiver/archive.py``) and the cold import of its handler
   module (fresh interpreter, archive only on sys.path, median), also as Lambda runs it: no bytecode
   cache (``-B``; only /tmp is writable there). Targets: parser archive <= 30 KB, import <= 50 ms.
3. Memory (issue 11 §2): the handler's peak on the worst input it still accepts (tracemalloc, and a
   fresh process's max RSS with boto3 loaded) beside the function's ``memorySize``.
4. Concatenated gzip members: time for 1, 2 and 4 MiB of tiny members, and the bytes handed to zlib
   as a multiple of the input (constant when linear).

Run: ``.venv/bin/python bench/bench_reports.py [--reports N] [--repeat R] [--baseline DIR] [--parse-only]
[--limits-only] [--archives-only]``. ``--quick`` (a few seconds: parse ratios and the parser's archive) with ``--json``
prints, as its last stdout line, ``{"rows": [{"figure", "value", "unit", "target", "ratio", "ok"}]}``
(``bench/run_all.py`` reads it): ``ratio`` is measured against the floor in the same process,
``ok`` is never decided on an absolute time (``null`` there).
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
import os
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
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_mta_sts.receiver.archive import FunctionCode
    from pulumi_mta_sts.reports.limits import Limits

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


def _archive_zip(code: FunctionCode) -> bytes:
    """The function's archive as the tests build it (run from the checkout)."""
    sys.path.insert(0, str(_ROOT))
    from tests.components.archive_zip import archive_zip

    return archive_zip(code)


def cold_import_ms(code: FunctionCode, runs: int = 7, *, compile_each_time: bool = False) -> tuple[float, float]:
    """Median milliseconds to import ``code``'s handler module (and, for context, boto3) in a fresh
    interpreter; with ``compile_each_time``, as on Lambda: no bytecode cache (``-B``, none written)."""
    module = code.handler.rpartition(".")[0]
    flags = ["-B"] if compile_each_time else []
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(_archive_zip(code))).extractall(tmp)
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


def archive_figures(names: tuple[str, ...] = ("parser", "reader"), runs: int = 7) -> list[dict[str, Any]]:
    """Each function's archive and the cold import of its handler, printed and as rows."""
    from pulumi_mta_sts.receiver.archive import FUNCTIONS

    rows: list[dict[str, Any]] = []
    for code in (c for c in FUNCTIONS if c.name in names):
        archive = _archive_zip(code)
        entries = zipfile.ZipFile(io.BytesIO(archive)).namelist()
        cached_ms, boto3_ms = cold_import_ms(code, runs)
        compiled_ms, _ = cold_import_ms(code, runs, compile_each_time=True)
        target = " (target <= 30 KB; <= 50 ms)" if code.name == "parser" else ""
        print(
            f"lambda archive ({code.name}): {len(archive)} bytes ({len(archive) / 1024:.1f} KiB), {len(entries)} files"
        )
        print(
            f"cold import of the {code.name} handler module: {cached_ms:.1f} ms median, {compiled_ms:.1f} ms "
            f"compiling every module as Lambda does{target} (boto3, imported lazily: {boto3_ms:.0f} ms)"
        )
        if code.name == "parser":
            kib = len(archive) / 1024
            rows.append(_row("parser archive", kib, "KiB", "<= 30 KB", None, kib <= 30 * 1000 / 1024))
            rows.append(_row("parser handler cold import (bytecode cached)", cached_ms, "ms", "<= 50 ms", None, None))
            rows.append(_row("parser handler cold import (-B, as Lambda)", compiled_ms, "ms", "<= 50 ms", None, None))
    return rows


def _row(figure: str, value: float, unit: str, target: str, ratio: float | None, ok: bool | None) -> dict[str, Any]:
    """One row of the ``--json`` table (the interface ``bench/run_all.py`` reads)."""
    return {"figure": figure, "value": round(value, 3), "unit": unit, "target": target, "ratio": ratio, "ok": ok}


# --- parse_report against its floor, each layout in a fresh process --------------------------------

#: The checkout: ``tests.reports.memory_store`` (the receiver's store in a dict) is imported from it.
_ROOT = Path(__file__).resolve().parents[1]
_REALWORLD_BESIDE = _ROOT.parent / "shared" / "tlsrpt-realworld" / "files"
#: The parser's JSON decoder at this layout (the core's bounded reader: ``json_decoder``, ``_decoder`` before
#: issue 25), else ``json.loads``'s.
_WORKER = """
import gzip, json, sys, time
sys.path.insert(0, sys.argv[1])
import bench_reports as b
from pulumi_mta_sts.reports.parse import parse_report
try:
    from pulumi_mta_sts.core import bounded_json
    decoder = (getattr(bounded_json, "json_decoder", None) or bounded_json._decoder)(None)
except ImportError:
    decoder = json._default_decoder
def floor(data):
    text = gzip.decompress(data) if data[:2] == b"\\x1f\\x8b" else data
    return decoder.decode(text.decode(json.detect_encoding(text), "surrogatepass"))
from pulumi_mta_sts.reports import normalise
kept = [getattr(normalise, name) for name in b.KEPT_ANSWERS if hasattr(normalise, name)]
def first_sight(data):  # as if every report were the first: no answer kept from one before
    for answers in kept:
        answers.clear()
    return parse_report(data)
def no_check(data):  # the floor, and the output built from what it read with no check at all
    return b.unchecked_report(floor(data))
from pulumi_mta_sts.reports import parse
def bounded_no_check(data):  # the parser's own reading (its limits and JSON bounds), then the same build
    return b.unchecked_report(parse.load_json_counted(parse.report_bytes(data))[0])
ways = [("parse_report", parse_report), ("first sight", first_sight), ("no check", no_check)]
if hasattr(parse, "load_json_counted") and hasattr(parse, "report_bytes"):
    ways.append(("bounded, no check", bounded_no_check))
corpora = json.loads(sys.argv[2])
out = {}
for name, (paths, n, loops) in corpora.items():
    corpus = b.generate(n) if name == "synthetic" else [open(p, "rb").read() for p in paths]
    assert all(b.key_paths(parse_report(d)) == b.key_paths(no_check(d)) for d in corpus)
    out[name] = {
        way: b.alternate(floor, fn, corpus * loops, int(sys.argv[3])) for way, fn in ways
    }
print(json.dumps(out))
"""
#: The normaliser's kept answers (``reports/normalise.py``): emptied before each report for "first sight".
KEPT_ANSWERS = ("_CANONICAL_TIMES",)


@functools.cache
def _detail_keys() -> tuple[tuple[str, str], ...]:
    """A failure detail's output keys and the JSON keys they are read from: the measured layout's own."""
    from pulumi_mta_sts.reports.normalise import FAILURE_DETAIL_FIELDS

    required = (("result_type", "result-type"), ("failed_session_count", "failed-session-count"))
    return (*required, *((name, key) for key, name in FAILURE_DETAIL_FIELDS))


def unchecked_report(doc: dict[str, Any]) -> dict[str, Any]:
    """The normalised report's shape built from ``doc`` with no check, no stripping, no case folding: what no
    parser that outputs it can be faster than (the room left for the checks is the target minus this)."""
    get, dates = doc.get, doc.get("date-range") or {}
    return {
        "organization_name": get("organization-name"),
        "report_id": get("report-id"),
        "contact_info": get("contact-info"),
        "start": dates.get("start-datetime"),
        "end": dates.get("end-datetime"),
        "policies": [_unchecked_policy(entry) for entry in get("policies") or ()],
        "extra": None,
        "warnings": [],
    }


@functools.cache
def _detail_row() -> dict[str, None]:
    """An empty failure-detail row in the measured layout's key order, copied for each row (no growing)."""
    return dict.fromkeys([*(name for name, _ in _detail_keys()), "extra"])


def _unchecked_detail(detail: dict[str, Any]) -> dict[str, Any]:
    row, get = _detail_row().copy(), detail.get
    for name, key in _detail_keys():
        row[name] = get(key)
    return row


def _unchecked_policy(entry: dict[str, Any]) -> dict[str, Any]:
    get, counts = (entry.get("policy") or {}).get, entry.get("summary") or {}
    details = [_unchecked_detail(detail) for detail in entry.get("failure-details") or ()]
    return {
        "policy_type": get("policy-type"),
        "policy_domain": get("policy-domain"),
        "policy_strings": get("policy-string") or [],
        "mx_hosts": get("mx-host") or [],
        "mx_hosts_source": None,
        "successful": counts.get("total-successful-session-count"),
        "failed": counts.get("total-failure-session-count"),
        "failure_details": details,
        "extra": None,
    }


def key_paths(value: Any, at: str = "") -> list[str]:
    """Every key of a normalised report's dicts, by path and in order: the unchecked build has the parser's."""
    if isinstance(value, list):
        return [path for i, item in enumerate(value) for path in key_paths(item, f"{at}[{i}]")]
    if not isinstance(value, dict) or at.endswith("extra"):
        return []
    return [path for key, item in value.items() for path in (f"{at}.{key}", *key_paths(item, f"{at}.{key}"))]


def alternate(
    floor: Callable[[bytes], object], ours: Callable[[bytes], object], corpus: list[bytes], repeat: int, chunk: int = 50
) -> list[float]:
    """Seconds per item for ``floor`` and ``ours``: each chunk of ``chunk`` items timed by both, back to
    back, ``repeat`` times, and the fastest time of each chunk summed (a busy neighbour or a preemption
    slows one chunk, not the figure). Each goes first every other round: the second finds the chunk's
    bytes in the caches, and always timing the floor first understated the ratio by about 6 %."""
    chunks = [corpus[at : at + chunk] for at in range(0, len(corpus), chunk)]
    best = [[float("inf")] * len(chunks), [float("inf")] * len(chunks)]
    for round_ in range(repeat):
        for c, part in enumerate(chunks):
            for i, fn in ((1, ours), (0, floor)) if round_ % 2 else ((0, floor), (1, ours)):
                start = time.perf_counter()
                for data in part:
                    fn(data)
                best[i][c] = min(best[i][c], time.perf_counter() - start)
    return [sum(times) / len(corpus) for times in best]


def real_reports(folder: Path) -> list[str]:
    """The real senders' JSON reports (plain or gzipped) in ``folder``."""
    return sorted(str(p) for p in folder.iterdir() if p.name.endswith((".json", ".json.gz")))


def delivered_reports(folder: Path, into: Path) -> list[str]:
    """The report attachments of the mails (``*.eml``) in ``folder``, their bytes as the senders sent them
    (nearly all gzip), written to files in ``into``: what the receiver's Lambda hands the parser, found by
    this tree's own rule (``reports/extract.py``) once, so every layout is measured on the same bytes."""
    from pulumi_mta_sts.reports.extract import extract_attachments

    paths = []
    for mail in sorted(folder.glob("*.eml")):
        for attachment in extract_attachments(mail.read_bytes()).attachments:
            if attachment.data:
                path = into / f"{mail.stem}.{attachment.index}"
                path.write_bytes(attachment.data)
                paths.append(str(path))
    return paths


def parse_ratios(components: Path, corpora: dict[str, Any], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per report for the floor and each way of the layout in ``components`` (``parse_report``, every
    report as the first seen, the output built with no check), each way timed against the floor anew."""
    env = {**os.environ, "PYTHONPATH": str(components)}
    script = [sys.executable, "-c", _WORKER, str(Path(__file__).parent), json.dumps(corpora), str(repeat)]
    answer = subprocess.run(script, capture_output=True, text=True, check=True, env=env).stdout
    result: dict[str, dict[str, list[float]]] = json.loads(answer.splitlines()[-1])
    return result


def parse_figures(args: argparse.Namespace) -> list[dict[str, Any]]:
    """``parse_report`` against the floor, at this layout and at ``--baseline``, printed and as rows."""
    folder = Path(args.realworld or os.environ.get("MTA_STS_REALWORLD_REPORTS") or _REALWORLD_BESIDE)
    corpora: dict[str, Any] = {"synthetic": [[], args.reports, 1]}
    with tempfile.TemporaryDirectory() as attachments:
        if folder.is_dir():
            real = {"real": real_reports(folder), "real as delivered": delivered_reports(folder, Path(attachments))}
            for corpus, paths in real.items():  # each repeated to about half as many reports as the synthetic
                corpora[corpus] = [paths, 0, max(1, args.reports // (2 * len(paths) or 1))]
        else:
            print(f"real senders' reports: not found at {folder} (--realworld DIR); not measured")
        layouts = {"this layout": Path(__file__).resolve().parents[1] / "components"}
        layouts.update({f"baseline {path}": Path(path) for path in args.baseline})
        measured = {layout: parse_ratios(components, corpora, args.repeat) for layout, components in layouts.items()}
    rows = []
    for layout, ratios in measured.items():
        for corpus, ways in ratios.items():
            count = args.reports if corpus == "synthetic" else len(corpora[corpus][0])
            for way, (floor_s, ours_s) in ways.items():
                ratio = ours_s / floor_s
                print(
                    f"{way}, {corpus} ({count} reports), {layout}: {1 / ours_s:9.0f} reports/s; floor "
                    f"{1 / floor_s:9.0f} reports/s; {ratio:.2f}x the floor{_WAYS[way]}"
                )
                mine, target = layout == "this layout", way == "parse_report"
                figure = f"{way} {corpus}" + ("" if mine else f" ({layout})")
                ok = ratio <= 1.5 if mine and target else None
                rows.append(
                    _row(figure, 1 / ours_s, "reports/s", "<= 1.5x floor" if target else "", round(ratio, 3), ok)
                )
    return rows


_WAYS = {
    "parse_report": " (target <= 1.5x)",
    "first sight": " (no date-time kept from an earlier report: every date-range new)",
    "no check": (
        " (the output built from the decoded JSON with no check: no parser reading as the floor does is faster)"
    ),
    "bounded, no check": (
        " (the parser's own reading within its limits and JSON bounds, then the same build: the least any parser"
        " of this output within the bounds costs)"
    ),
}


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


def worst_accepted_bodies(limits: Limits | None = None) -> dict[str, bytes]:
    """HTTPS bodies at the caps (default: the parser's), gzipped (each is accepted: stored, not refused)."""
    from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS

    limits = limits or DEFAULT_LIMITS
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


def worst_accepted_email(limits: Limits | None = None) -> bytes:
    """A message just under the size cap: the worst report as its attachment, the rest filler."""
    from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS

    limits = limits or DEFAULT_LIMITS
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
from tests.reports.memory_store import MemoryStore  # run from the checkout
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
    status = lam.handle_http(event, MemoryStore(), settings, emit=lambda d: None)["statusCode"]
else:
    store = MemoryStore({"raw/email/w": (data, "message/rfc822", {})})
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
            [sys.executable, "-c", _CHILD, kind, handle.name], capture_output=True, text=True, check=True, cwd=_ROOT
        ).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024, int(out[2])


def _drop(document: dict[str, Any]) -> None:
    """Metrics are not what is measured here."""


def memory_figures() -> None:
    """Peak memory of the handler on the worst input it still accepts, beside ``memorySize``."""
    sys.path.insert(0, str(_ROOT))
    from tests.reports.memory_store import MemoryStore

    from pulumi_mta_sts.receiver.function import MEMORY_MB
    from pulumi_mta_sts.receiver_lambda import handler as lam
    from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS

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
            peak = handler_peak_bytes(functools.partial(lam.handle_http, event, MemoryStore(), settings, _drop))
        else:
            store = MemoryStore({"raw/email/w": (data, "message/rfc822", {})})
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


def parsedmarc_figures(args: argparse.Namespace) -> None:
    """Ours beside parsedmarc on the generated reports and on them as e-mails."""
    import parsedmarc

    from pulumi_mta_sts.reports.parse import parse_email, parse_report

    corpus = generate(args.reports)
    size = sum(len(d) for d in corpus)
    print(f"corpus: {len(corpus)} gzipped reports, {size / 1024:.0f} KiB compressed, Python {sys.version.split()[0]}")
    ours = rate(parse_report, corpus, args.repeat)
    pm_json = rate(lambda d: parsedmarc.parse_smtp_tls_report_json(gzip.decompress(d)), corpus, args.repeat)
    pm_file = rate(lambda d: parsedmarc.parse_report_file(d, offline=True), corpus, 1)
    print(f"ours   reports.parse_report                  {ours:10.0f} reports/s")
    print(f"parsedmarc parse_smtp_tls_report_json(gunzip) {pm_json:9.0f} reports/s")
    print(f"parsedmarc parse_report_file(bytes, offline)  {pm_file:9.0f} reports/s")
    print(f"ratio ours/parsedmarc json       {ours / pm_json:5.2f}x  (target >= 10x)")
    print(f"ratio ours/parsedmarc file       {ours / pm_file:5.2f}x  (target >= 10x)")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--baseline", action="append", default=[], help="a components folder of another layout (repeatable)"
    )
    parser.add_argument("--realworld", help="the folder of real senders' reports (read in place)")
    parser.add_argument("--quick", action="store_true", help="a few seconds: parse ratios and the parser's archive")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the rows (with --quick)")
    parser.add_argument("--parse-only", action="store_true", help="only parse_report against its floor")
    parser.add_argument("--limits-only", action="store_true", help="only the memory and gzip-member figures")
    parser.add_argument("--archives-only", action="store_true", help="only the functions' archives and cold imports")
    args = parser.parse_args()
    if args.quick:
        args.reports, args.repeat = min(args.reports, 4_000), 7  # as the full figure: a smaller run swings ±0.03
        rows = parse_figures(args) + archive_figures(("parser",), runs=3)
        if args.json:
            print(json.dumps({"rows": rows}))
        return
    if args.archives_only:
        archive_figures()
        return
    if args.parse_only:
        parse_figures(args)
        return
    memory_figures()
    gzip_member_figures()
    if args.limits_only:
        return
    parse_figures(args)
    parsedmarc_figures(args)
    archive_figures()


if __name__ == "__main__":
    main()
