"""Browser tests: the app served on loopback, driven in Debian's Chromium by Playwright."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1366, "height": 900}


class _InFlight:
    """Counts the requests the live server is answering, so a test ends only once they are done:
    the next test empties the tables, which must not race a request still reading them."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        body = None
        try:
            body = self.app(environ, start_response)
            yield from body
        finally:
            try:
                if hasattr(body, "close"):
                    body.close()  # what the server would have called: send_file's handle, a spool's clean-up
            finally:
                with self.lock:
                    self.count -= 1

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.02)


_in_flight: _InFlight | None = None


@pytest.fixture(scope="session")
def live_server(app):
    global _in_flight
    _in_flight = _InFlight(app)
    server = make_server("127.0.0.1", 0, _in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(params=[("tablet", TABLET), ("desktop", DESKTOP)], ids=["tablet", "desktop"])
def page(request, browser):
    name, viewport = request.param
    context = browser.new_context(viewport=viewport, locale="fr-FR", has_touch=name == "tablet")
    page = context.new_page()
    page.device = name
    # The Content-Security-Policy (qualirepar/headers.py) is part of every walk: a page that breaks
    # it (an inline script or handler, an eval) fails the test that opened it.
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violated: {violations[:3]}"
    if _in_flight is not None:
        _in_flight.wait_idle()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.device}.png"), full_page=True)
