"""Headless Chromium for tests, driven over the DevTools protocol on a pipe (standard library only).

Chromium's ``--remote-debugging-pipe`` reads protocol messages (JSON, each ended by a NUL byte) on
its file descriptor 3 and writes on 4: no debugging port is opened and no websocket library is
needed. :func:`load_page` opens one file with the network cut off (offline emulation, every host
name unresolvable) and returns what a reviewer would look for: console messages and uncaught
errors, every network request the page made, facts read from the DOM, and a PNG screenshot.

The browser is Debian's ``chromium`` package (``.ci/run`` installs it). :func:`chromium_or_skip`
skips a test when it is missing locally, and fails it instead under ``MTA_STS_REQUIRE_BROWSER=1``
(set by ``.ci/run``), so CI can never pass without having looked at the page in a browser.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import selectors
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Where Debian's package puts the browser (a wrapper script that execs the real binary).
CHROMIUM = "/usr/bin/chromium"

#: Set by ``.ci/run``: a missing browser fails the browser tests instead of skipping them.
REQUIRE_ENV = "MTA_STS_REQUIRE_BROWSER"

#: Where screenshots are kept (``.ci/run`` leaves them for a reviewer); default build/test-artifacts.
ARTIFACTS_ENV = "MTA_STS_TEST_ARTIFACTS"

#: Seconds one protocol step (start, navigate, screenshot) may take before the test fails.
STEP_TIMEOUT = 60.0

_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI and the developers' machines run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can reach the network
    "about:blank",
)


def chromium_or_skip() -> str:
    """The browser's path; skips the test (with the reason and the fix) when it is not installed,
    except under ``MTA_STS_REQUIRE_BROWSER=1``, where a missing browser is a failure."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    reason = f"headless Chromium is not installed ({CHROMIUM}); apt-get install -y chromium chromium-driver"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


def artifact_dir() -> Path:
    """The folder for test artifacts (``$MTA_STS_TEST_ARTIFACTS`` or ``build/test-artifacts``), created."""
    default = Path(__file__).resolve().parent.parent / "build" / "test-artifacts"
    folder = Path(os.environ.get(ARTIFACTS_ENV) or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class BrowserError(RuntimeError):
    """The browser did not answer as the protocol says (died, timed out, or returned an error)."""


class _Pipe:
    """One DevTools protocol connection: commands out on one pipe, answers and events in on the other."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        self._write_fd = write_fd
        self._read_fd = read_fd
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self._selector = selectors.DefaultSelector()
        self._selector.register(read_fd, selectors.EVENT_READ)

    def close(self) -> None:
        self._selector.close()
        os.close(self._write_fd)
        os.close(self._read_fd)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        answer = self._wait(lambda m: m.get("id") == self._next_id, f"the answer to {method}")
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        """Wait for an event (already received or still to come) of ``method`` in ``session``."""
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        return self._wait(lambda m: m.get("method") == method and m.get("sessionId") == session, method)

    def _wait(self, wanted: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            for message in self._drain():
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no {what} within {STEP_TIMEOUT:.0f} s")
            if self._selector.select(left):
                chunk = os.read(self._read_fd, 1 << 20)
                if not chunk:
                    raise BrowserError(f"the browser closed its pipe while we waited for {what}")
                self._buffer += chunk

    def _drain(self) -> Iterator[dict[str, Any]]:
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            message: dict[str, Any] = json.loads(raw)
            yield message


@contextmanager
def _browser(executable: str) -> Iterator[_Pipe]:
    """A fresh headless browser with a throw-away profile; closed (and its profile removed) afterwards."""
    profile = tempfile.mkdtemp(prefix="mta-sts-chromium-")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    to_browser_r, from_browser_w = _above_4(to_browser_r), _above_4(from_browser_w)
    # The protocol wants the pipes on the browser's fds 3 and 4: bash moves them there and execs
    # (dash, Debian's /bin/sh, cannot name a descriptor above 9).
    script = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
    command = ["/bin/bash", "-c", script, "bash", executable, f"--user-data-dir={profile}", *_FLAGS]
    log = Path(profile).with_suffix(".log").open("wb")
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(to_browser_r, from_browser_w)
    )
    os.close(to_browser_r)
    os.close(from_browser_w)
    pipe = _Pipe(to_browser_w, from_browser_r)
    try:
        yield pipe
    except BrowserError as exc:
        log.flush()
        said = Path(log.name).read_text(errors="replace")[-3000:]
        raise BrowserError(f"{exc}; the browser said:\n{said}") from None
    finally:
        _close(pipe, process)
        log.close()
        Path(log.name).unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)


def _above_4(fd: int) -> int:
    """``fd`` moved to a number above 4, so moving it onto 3 or 4 cannot overwrite the other pipe."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


def _close(pipe: _Pipe, process: subprocess.Popen[bytes]) -> None:
    with suppress(BrowserError, OSError):
        pipe.call("Browser.close")
    pipe.close()
    try:
        process.wait(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class PageLoad:
    """What loading one page showed."""

    url: str
    console: list[str] = field(default_factory=list)  # console errors/warnings, log entries, exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, the page included
    facts: Any = None  # the value of the caller's JavaScript expression, read after the page rendered
    screenshot: bytes = b""  # PNG of the whole page (up to MAX_SCREENSHOT_HEIGHT pixels)
    thumbnail: bytes = b""  # the same at THUMBNAIL_SCALE: small enough to decode in Python quickly

    @property
    def foreign_requests(self) -> list[str]:
        """Requests for anything but the page itself."""
        return [url for url in self.requests if url != self.url]


#: The tallest screenshot taken (CSS pixels); a longer page is cut there.
MAX_SCREENSHOT_HEIGHT = 12_000
#: The thumbnail's scale (the browser renders the page again at this size, it is not a resampling).
THUMBNAIL_SCALE = 0.25

_SETUP: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Runtime.enable", {}),
    ("Log.enable", {}),
    ("Page.enable", {}),
    ("Network.enable", {}),
    (
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    ),
)

# Two animation frames after the load event: the page has been laid out and painted at least once.
_RENDERED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def load_page(path: Path, facts_js: str = "null", *, width: int = 1280, height: int = 900) -> PageLoad:
    """Open ``path`` (file://) offline in headless Chromium; report console messages, requests,
    ``facts_js`` evaluated in the page after it rendered, and a screenshot of the whole page."""
    url = path.resolve().as_uri()
    with _browser(chromium_or_skip()) as pipe:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method, params in _SETUP:
            pipe.call(method, params, session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        pipe.call("Emulation.setDeviceMetricsOverride", metrics, session)
        pipe.call("Page.navigate", {"url": url}, session)
        pipe.wait_event("Page.loadEventFired", session)
        _evaluate(pipe, session, _RENDERED)
        page = PageLoad(url=url, facts=_evaluate(pipe, session, facts_js))
        page.screenshot = _screenshot(pipe, session, width, 1)
        page.thumbnail = _screenshot(pipe, session, width, THUMBNAIL_SCALE)
        page.console, page.requests = _observed(pipe.events, session)
    return page


def _evaluate(pipe: _Pipe, session: str, expression: str) -> Any:
    params = {"expression": expression, "awaitPromise": True, "returnByValue": True}
    answer = pipe.call("Runtime.evaluate", params, session)
    if "exceptionDetails" in answer:
        raise BrowserError(f"evaluating {expression!r}: {answer['exceptionDetails']}")
    return answer["result"].get("value")


def _screenshot(pipe: _Pipe, session: str, width: int, scale: float) -> bytes:
    size = pipe.call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], MAX_SCREENSHOT_HEIGHT), "scale": scale}
    params = {"format": "png", "clip": clip, "captureBeyondViewport": True}
    return base64.b64decode(pipe.call("Page.captureScreenshot", params, session)["data"])


def _observed(events: list[dict[str, Any]], session: str) -> tuple[list[str], list[str]]:
    """Console errors and warnings (console API, browser log, uncaught exceptions) and request URLs."""
    console: list[str] = []
    requests: list[str] = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            console.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
        elif method == "Runtime.exceptionThrown":
            console.append(f"uncaught: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            entry = params["entry"]
            console.append(f"{entry['level']} ({entry['source']}): {entry['text']}")
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    return console, requests


# ---- PNG: enough of the format to check that a screenshot is a real picture ------------------


@dataclass(frozen=True)
class Picture:
    """A decoded 8-bit RGB(A) PNG: ``pixels[y][x]`` is an (r, g, b) tuple."""

    width: int
    height: int
    pixels: list[list[tuple[int, int, int]]]

    def count(self, colour: tuple[int, int, int]) -> int:
        """How many pixels have exactly ``colour``."""
        return sum(row.count(colour) for row in self.pixels)

    def differing(self, background: tuple[int, int, int]) -> int:
        """How many pixels are not ``background``."""
        return self.width * self.height - self.count(background)


def decode_png(data: bytes) -> Picture:
    """Decode a non-interlaced 8-bit RGB or RGBA PNG (what Chromium's screenshots are)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    header, idat = _png_chunks(data[8:])
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    channels = 3 if colour_type == 2 else 4
    rows = _unfilter(zlib.decompress(idat), width * channels, channels, height)
    pixels = [[tuple(row[x : x + 3]) for x in range(0, len(row), channels)] for row in rows]
    return Picture(width, height, pixels)  # type: ignore[arg-type]  # 3-slices of bytes


def _png_chunks(body: bytes) -> tuple[bytes, bytes]:
    header, idat, offset = b"", bytearray(), 0
    while offset < len(body):
        (length,) = struct.unpack(">I", body[offset : offset + 4])
        kind, payload = body[offset + 4 : offset + 8], body[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            header = payload
        elif kind == b"IDAT":
            idat += payload
    return header, bytes(idat)


def _unfilter(raw: bytes, stride: int, bpp: int, height: int) -> list[bytes]:
    """Undo the PNG scanline filters (none, sub, up, average, Paeth)."""
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - corner
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
    return (left, up, corner)[distances.index(min(distances))]
