"""The listing, the station directory and the policy page in chromium: phone and desktop
widths, Chinese and English, nothing scrolls sideways (issue 14), screenshots to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Volunteer
from marketplace.services.packaging.naming import apply_for_naming, choose_naming
from tests.factories import T0, at, gen_cast, gen_project, gen_station

PAGES = (("/", "listing", "#project-cards"), ("/stations", "stations", ".station-cards"),
         ("/policy", "policy", "#naming-donation"))


def _world() -> None:
    cast = gen_cast()
    wuma = gen_station(cast.community)
    yuhai = gen_station(cast.community, name="玉海社区爱心驿站", county="瑞安市", town="玉海街道")
    titles = ("独居老人助餐服务：每周五天热饭送上门，附带健康随访和紧急呼叫设备安装",
              "残疾人康复陪护", "困难家庭法律援助", "空巢老人心理关怀")
    for n, (state, title) in enumerate(zip((State.SUBSCRIPTION, State.TENDERING,
                                            State.IMPLEMENTATION, State.COMPLETED), titles,
                                           strict=True)):
        project = gen_project(cast, state, station=(wuma, yuhai)[n % 2],
                              start=T0 - timedelta(days=n))
        project.title = title
    db.session.add_all([Volunteer(station=wuma, name="王芳"), Volunteer(station=wuma, name="李强")])
    db.session.commit()
    right = apply_for_naming(yuhai.id, "鹿城银行玉海爱心驿站", 100_000 * 100,
                             actor=cast.enterprises[0], now=at(1))
    choose_naming(right.id, actor=cast.community, now=at(2))


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_browsing_pages_fit_the_screen(app, browser, live_server, screenshots, width,
                                       lang) -> None:  # noqa: ANN001
    _world()
    app.config["CLOCK"] = lambda: at(5)
    app.config.update(SITE_CONTACT="0577-88888888", SITE_ICP="浙ICP备00000000号",
                      SITE_PSB="浙公网安备33030000000000号")
    folder = screenshots / "browse"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 404" not in message.text else None)
    missing: list[str] = []  # chromium asks for /favicon.ico on its own; the site has none
    page.on("response", lambda answer: missing.append(answer.url)
            if answer.status >= 400 and not answer.url.endswith("/favicon.ico") else None)
    for path, name, marker in PAGES:
        page.goto(f"{live_server}{path}?lang={lang}")
        page.wait_for_load_state()
        assert page.locator(marker).first.is_visible(), (path, marker)
        assert page.locator(".site-sections a[aria-current=page]").count() == 1, path
        wide = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert wide <= inner, (path, width, lang, wide, inner)
        page.screenshot(path=str(folder / f"{name}-{lang}-{width}.png"), full_page=True)
    assert errors == [] and missing == []  # nothing blocked by the CSP, no missing picture
    context.close()
