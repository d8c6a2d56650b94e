"""A live server in a thread and Debian's chromium driven by Playwright.

The server runs the test's own app object, so a test moves the clock with
``app.config["CLOCK"]`` and runs the scheduler's sweep between steps, as production would.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not shutil.which(CHROMIUM):
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless chromium per module, closed before the other tests run.

    Missing chromium or Playwright skips; under MARKETPLACE_REQUIRE_BROWSER=1 (CI) it fails.
    """
    reason = _unavailable()
    if reason:
        if os.environ.get("MARKETPLACE_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free localhost port, with real CSRF tokens on the forms.

    A thread per request, as gunicorn's workers would: chromium opens connections ahead of
    need (preconnects) that may never carry a request, and a one-at-a-time server waits on
    such a connection while the page's real request waits behind it (a navigation then timed
    out after 30 s on a loaded machine)."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
