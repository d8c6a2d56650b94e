"""Screens of joining and of consequential steps (issue 15), phone and desktop, Chinese and
English: sign-up with the kind first, the pending page, the step before accepting a
milestone, the evaluator's own sheet. Each asserts what a person must see, and that nothing
scrolls sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus, OrgStatus, Role
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.implementation.delivery import report_progress
from tests.factories import PASSWORD, at, gen_account, gen_cast, gen_project

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def _page(browser, live_server, width, lang, account=None):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    if account is not None:
        page.goto(f"{live_server}/login?lang={lang}")
        page.fill("#email", account.email)
        page.fill("#password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
    return context, page


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_joining_and_consequential_steps(app, browser, live_server, screenshots, width,
                                         lang) -> None:  # noqa: ANN001
    zh = lang == "zh_CN"
    cast = gen_cast()
    implementing = gen_project(cast, State.IMPLEMENTATION)
    ngo = next(n for n in cast.ngos if n.organization_id == implementing.award.organization_id)
    milestone = next(m for m in implementing.milestones if m.status is MilestoneStatus.PENDING)
    report_progress(implementing.id, milestone.id, actor=ngo, body="完成", now=at(40))
    evaluating = gen_project(cast, State.EVALUATION)
    evaluate(evaluating.id, actor=cast.evaluators[0], no_conflict=True, now=at(60),
             scores={i.code: i.max_score * Decimal("0.85")
                     for i in evaluating.indicator_set.indicators})
    pending = gen_account(Role.ENTERPRISE, status=OrgStatus.PENDING)
    app.config["CLOCK"] = lambda: at(61)

    context, page = _page(browser, live_server, width, lang)
    page.goto(f"{live_server}/signup?lang={lang}")
    assert page.locator("#role").input_value() == ""  # no kind chosen for the person
    assert page.locator("#phone").is_visible() and page.locator("#consent").is_visible()
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(screenshots / f"signup-{lang}-{width}.png"), full_page=True)
    page.goto(f"{live_server}/password/forgot?lang={lang}")
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(screenshots / f"forgot-{lang}-{width}.png"), full_page=True)
    context.close()

    context, page = _page(browser, live_server, width, lang, pending)
    page.goto(f"{live_server}/enterprise/credit/move?lang={lang}")
    assert ("正在等待审核" if zh else "waiting for approval") in page.inner_text("main")
    assert page.locator(".banner.pending").is_visible()
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(screenshots / f"pending-{lang}-{width}.png"), full_page=True)
    context.close()

    context, page = _page(browser, live_server, width, lang, cast.community)
    page.goto(f"{live_server}/community/projects/{implementing.id}?lang={lang}")
    step = page.locator("details.confirm-step").first
    assert not step.locator("button[value=accept]").is_visible()  # one step away
    step.locator("summary").click()
    assert step.locator("button[value=accept]").is_visible()
    assert ("拨付" if zh else "releases") in step.inner_text()
    assert page.evaluate(NO_SIDEWAYS)
    step.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"accept-step-{lang}-{width}.png"), full_page=True)
    context.close()

    context, page = _page(browser, live_server, width, lang, cast.evaluators[0])
    page.goto(f"{live_server}/evaluator/projects/{evaluating.id}?lang={lang}")
    assert page.locator("table.sheet").is_visible()
    assert page.locator("input[name^='score-']").count() == 0
    assert page.locator(".danger-zone button.danger").is_visible()
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(screenshots / f"own-sheet-{lang}-{width}.png"), full_page=True)
    context.close()
