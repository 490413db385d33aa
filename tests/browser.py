"""Headless Chromium for the tests, driven by Playwright (the PyPI package ``playwright``).

Playwright starts Debian's ``chromium`` (``executable_path``; ``.ci/run`` installs it) and never
downloads a browser of its own. :func:`load_page` opens one file with the network cut off (an
offline context, and no host name resolves) and returns what a reviewer looks for: console errors
and warnings, uncaught errors, every request the page made, facts read from the DOM after the page
rendered, and a screenshot of the whole page. :func:`chromium_or_skip` skips a test when the
browser is missing, and fails it under ``MTA_STS_REQUIRE_BROWSER=1`` (set by ``.ci/run``), so CI
can never pass without having looked at the page in a browser.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import ConsoleMessage, sync_playwright

#: Where Debian's package puts the browser.
CHROMIUM = "/usr/bin/chromium"
#: Set by ``.ci/run``: a missing browser fails the browser tests instead of skipping them.
REQUIRE_ENV = "MTA_STS_REQUIRE_BROWSER"
#: Where screenshots are kept (``.ci/run`` leaves them for a reviewer); default build/test-artifacts.
ARTIFACTS_ENV = "MTA_STS_TEST_ARTIFACTS"

#: Chromium as root on a machine whose network is closed: without the background-networking flags
#: it keeps trying to reach Google's hosts; no host name resolves, so nothing can reach the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
#: Console messages that count as something wrong (a CSP refusal and a failed load are errors).
_BAD_CONSOLE = ("error", "warning", "assert")
# Two animation frames after the load event: the page has been laid out and painted at least once.
_RENDERED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


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


@dataclass
class PageLoad:
    """What loading one page showed."""

    url: str
    console: list[str] = field(default_factory=list)  # console errors/warnings, browser log, uncaught errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, the page included
    facts: Any = None  # the value of the caller's JavaScript expression, read after the page rendered
    screenshot: bytes = b""  # PNG of the whole page

    @property
    def foreign_requests(self) -> list[str]:
        """Requests for anything but the page itself."""
        return [url for url in self.requests if url != self.url]

    def picture(self) -> Image.Image:
        """The screenshot, decoded (RGB)."""
        return Image.open(io.BytesIO(self.screenshot)).convert("RGB")

    def _saw(self, message: ConsoleMessage) -> None:
        if message.type in _BAD_CONSOLE:
            self.console.append(f"console.{message.type}: {message.text}")


def load_page(path: Path, facts_js: str = "null", *, width: int = 1280, height: int = 900) -> PageLoad:
    """Open ``path`` (file://) offline in headless Chromium; report console messages, requests,
    ``facts_js`` evaluated in the page after it rendered, and a screenshot of the whole page."""
    loaded = PageLoad(path.resolve().as_uri())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, offline=True)
            page.on("console", loaded._saw)
            page.on("pageerror", lambda error: loaded.console.append(f"uncaught: {error}"))
            page.on("request", lambda request: loaded.requests.append(request.url))
            page.goto(loaded.url)
            page.evaluate(_RENDERED)
            loaded.facts = page.evaluate(facts_js)
            loaded.screenshot = page.screenshot(full_page=True)
        finally:
            browser.close()
    return loaded


def colour_counts(picture: Image.Image) -> dict[object, int]:
    """How many pixels of ``picture`` have each colour (an RGB tuple)."""
    colours = picture.getcolors(maxcolors=picture.width * picture.height) or []
    return {colour: count for count, colour in colours}
