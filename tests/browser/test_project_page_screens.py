"""The public project page on a phone and a desktop, in Chinese and English, for a visitor
and an enterprise: the hero's one action, no sideways scroll (issue 14, items 2 and 6)."""

from __future__ import annotations

import struct
import zlib

import pytest

from marketplace.lifecycle import State
from marketplace.services.implementation.evidence import Upload
from marketplace.services.packaging.covers import set_cover
from tests.factories import PASSWORD, at, gen_cast, gen_project
from tests.services.subscription.test_matching import offer

pytestmark = pytest.mark.browser
ACTION = {("visitor", "zh_CN"): "登录后认购", ("visitor", "en"): "Log in to subscribe",
          ("enterprise", "zh_CN"): "认购", ("enterprise", "en"): "Subscribe"}


def photo(width: int = 240, height: int = 100) -> bytes:
    """A real PNG (a warm gradient), so the cover shows as a picture in the screenshots."""
    rows = b"".join(b"\x00" + bytes(channel for x in range(width)
                                    for channel in (230, 120 + x * 100 // width,
                                                    80 + y * 100 // height))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_project_page_invites_funding_without_sideways_scroll(
        app, browser, live_server, screenshots, width, lang) -> None:  # noqa: ANN001
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    open_project = gen_project(cast, State.SUBSCRIPTION)
    completed = gen_project(cast, State.COMPLETED)
    set_cover(completed.id, Upload("驿站.png", photo()), actor=cast.community, now=at(90))
    app.config["CLOCK"] = lambda: at(5)
    shots = screenshots / "hero"
    shots.mkdir(exist_ok=True)
    for who in ("visitor", "enterprise"):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        if who == "enterprise":
            page.goto(f"{live_server}/login?lang={lang}")
            page.fill("#email", cast.enterprises[0].email)
            page.fill("#password", PASSWORD)
            page.click("form.form button[type=submit]")
            page.wait_for_load_state()
        for name, project in (("subscription", open_project), ("completed", completed)):
            page.goto(f"{live_server}/projects/{project.id}?lang={lang}")
            page.wait_for_load_state("networkidle")
            assert page.locator("#hero").is_visible() and page.locator("#stepper").is_visible()
            assert page.evaluate("document.querySelector('.hero-cover').naturalWidth") > 0
            button = page.locator("#hero-action")
            if name == "subscription":
                assert button.inner_text().strip() == ACTION[(who, lang)]
                assert button.bounding_box()["height"] >= 44
                assert page.locator("#match-badge").is_visible()
            else:
                assert button.count() == 0, "a completed project invites no subscription"
            wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)""")  # named if it fails
            assert page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"), wide
            page.screenshot(path=str(shots / f"{name}-{who}-{lang}-{width}.png"),
                            full_page=True)
        context.close()
