"""Screenshots of the panel's progress on the evaluator's page and of the administrator's
quorum form, phone and desktop widths, Chinese and English (issue 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.lifecycle import State
from marketplace.services.evaluation.evaluations import evaluate
from tests.factories import PASSWORD, at, gen_cast, gen_project


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_panel_progress_and_quorum_form(app, browser, live_server, screenshots, width,
                                        lang) -> None:  # noqa: ANN001
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    for evaluator in cast.evaluators[:2]:
        evaluate(project.id, actor=evaluator, no_conflict=True, now=at(60),
                 scores={i.code: i.max_score * Decimal("0.9")
                         for i in project.indicator_set.indicators})
    app.config["CLOCK"] = lambda: at(61)
    for account, path, name, marker in (
            (cast.evaluators[0], f"/evaluator/projects/{project.id}", "evaluator-panel",
             "#panel-progress"),
            (cast.admin, f"/admin/projects/{project.id}/panel", "admin-quorum",
             "#quorum-form")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server}/login?lang={lang}")
        page.fill("#email", account.email)
        page.fill("#password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server}{path}?lang={lang}")
        assert page.locator(marker).is_visible()
        progress = page.inner_text("#panel-progress")
        assert ("2 of 3 scored, quorum 3" if lang == "en" else "3 人中已评分 2 人") in progress
        page.screenshot(path=str(screenshots / f"{name}-{lang}-{width}.png"), full_page=True)
        context.close()
