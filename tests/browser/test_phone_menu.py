"""The header on a phone (issue 14 leftover): at 390 px the sections and the account's links
fold behind one "Menu" button on a single line, open without any script, every link a 44 px
row; at 1366 px they are shown as before. The signed-in person lands on the tasks page."""

from __future__ import annotations

import pytest

from marketplace.demo import DEMO_PASSWORD, seed

pytestmark = pytest.mark.browser


def test_the_header_folds_into_a_menu_on_a_phone(app, browser, live_server) -> None:  # noqa: ANN001
    seed()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "community@demo.cn")
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/tasks")
    header = page.locator("header.site-header")
    menu = page.locator("label.menu-button")
    assert menu.is_visible() and menu.bounding_box()["height"] >= 44
    assert not page.locator("#header-tasks").is_visible()
    assert header.bounding_box()["height"] < 80  # one line: the brand and the button

    menu.click()
    links = page.locator(".site-menu a:visible, .site-menu button:visible")
    assert links.count() >= 8
    for n in range(links.count()):
        assert links.nth(n).bounding_box()["height"] >= 44, links.nth(n).inner_text()
    page.locator("#header-tasks").click()
    page.wait_for_load_state()
    assert page.url.endswith("/tasks")

    page.set_viewport_size({"width": 1366, "height": 900})
    assert not menu.is_visible()
    assert page.locator("#header-tasks").is_visible()
    assert page.locator("#header-inbox").is_visible()
    context.close()
