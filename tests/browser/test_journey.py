"""One project's whole life, played in a real browser by every role, only through the pages.

The clock is the app's ``CLOCK``; between steps the test moves it and runs the scheduler's
sweep, which opens the subscription and closes it into the tender as in production.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from marketplace.demo import sign_in_sheet
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project, Role
from scheduler.jobs import run_due
from tests.factories import PASSWORD, gen_account, gen_station

pytestmark = pytest.mark.browser


class Stage:
    """The browser side of the test: one fresh browser context per role, logged in by the form."""

    def __init__(self, browser, base: str, app: Flask, shots: Path) -> None:  # noqa: ANN001
        self.browser, self.base, self.app, self.shots = browser, base, app, shots

    def at(self, moment: datetime) -> None:
        """Move the clock the pages see, then run the sweep the scheduler would run."""
        self.app.config["CLOCK"] = lambda: moment
        run_due(moment)
        db.session.commit()

    def login(self, account: Account):  # noqa: ANN201
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{self.base}/login")
        page.fill("#email", account.email)
        page.fill("#password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, page.inner_text("main")
        page.click('a[href="/me"]')  # "My page": each role's main page
        return page

    def shot(self, page, name: str) -> None:  # noqa: ANN001
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


def _state(project_id: int) -> State:
    db.session.expire_all()
    state = db.session.get(Project, project_id).state
    db.session.commit()  # end the read so the server's writes never wait on it
    return state


def test_a_project_goes_from_packaging_to_completed_in_the_browser(
        app, browser, live_server, screenshots) -> None:  # noqa: ANN001
    community = gen_account(Role.COMMUNITY, org_name="五马社区居委会")
    gen_station(community)
    admin = gen_account(Role.ADMIN, org_name="市民政局")
    enterprise = gen_account(Role.ENTERPRISE, org_name="瓯江电器有限公司")
    winner = gen_account(Role.SOCIAL_ORG, org_name="鹿城区阳光社工服务中心")
    rival = gen_account(Role.SOCIAL_ORG, org_name="温州市义工联合会")
    evaluators = [gen_account(Role.EVALUATOR, org_name=f"第{n}评估所") for n in (1, 2, 3)]
    stage = Stage(browser, live_server, app, screenshots)
    stage.at(datetime(2026, 3, 1, 9, 0))

    # The community builds a bundle from the catalog and submits it for review.
    page = stage.login(community)
    page.click('a[href="/community/bundles/new"]')
    page.fill("#title", "五马街道独居老人助餐服务包")
    page.fill("#summary", "为辖区独居老人提供每周三次助餐送餐。")
    page.select_option("#items-0-service", index=1)
    page.fill("#items-0-quantity", "10")
    page.fill("#items-0-unit_cost", "500")
    page.fill("#target", "5000")
    page.fill("#minimum", "3000")
    page.fill("#subscription_opens_at", "2026-03-03")
    page.fill("#subscription_closes_at", "2026-03-17")
    page.fill("#tender_closes_at", "2026-03-31")
    page.click("form.form button[type=submit]")
    project_id = int(re.search(r"/community/projects/(\d+)$", page.url).group(1))
    assert "5,000.00" in page.inner_text("main")  # the budget is the items' sum
    page.click(f'form[action="/community/projects/{project_id}/submit"] button')
    stage.shot(page, "1-community")

    # The administrator approves and publishes it.
    page = stage.login(admin)
    page.click(f'form[action="/admin/bundles/{project_id}"] button[value=approve]')
    assert _state(project_id) is State.PUBLICATION
    stage.shot(page, "2-administrator")

    # The clock opens the subscription; the enterprise subscribes the full target, confirming.
    stage.at(datetime(2026, 3, 3, 5, 0))
    assert _state(project_id) is State.SUBSCRIPTION
    page = stage.login(enterprise)
    page.goto(f"{live_server}/projects/{project_id}")
    page.click(f'a[href="/enterprise/projects/{project_id}/subscribe"]')
    page.fill("#amount", "5000")
    page.click("form.form button[type=submit]")
    assert page.locator(".confirm").is_visible()  # nothing is committed before the second step
    page.click("form.form button[type=submit]")
    assert "5,000.00" in page.inner_text("main")
    stage.shot(page, "3-enterprise")

    # The clock closes the funded subscription into the tender; two organizations bid, sealed.
    stage.at(datetime(2026, 3, 17, 5, 0))
    assert _state(project_id) is State.TENDERING

    # In the enquiry period the organization asks; the community's answer is public for all.
    page = stage.login(winner)
    page.click(f'a[href="/ngo/projects/{project_id}"]')
    asking = page.locator(f'form[action="/ngo/projects/{project_id}/questions"]')
    asking.locator("textarea").fill("送餐车辆由社区提供，还是需要服务方自备？")
    with page.expect_navigation():
        asking.locator("button").click()
    page = stage.login(community)
    page.goto(f"{live_server}/community/projects/{project_id}")
    assert "送餐车辆由社区提供" in page.inner_text("main")
    answering = page.locator(f'form[action^="/community/projects/{project_id}/questions/"]')
    answering.locator("textarea").fill("社区提供保温送餐车一辆，燃油费请计入报价。")
    with page.expect_navigation():
        answering.locator("button").click()
    page.goto(f"{live_server}/projects/{project_id}")
    assert "社区提供保温送餐车一辆" in page.inner_text("main")
    stage.shot(page, "4-enquiry-answered")
    for organization, price in ((winner, "4800"), (rival, "4950")):
        page = stage.login(organization)
        page.click(f'a[href="/ngo/projects/{project_id}"]')
        page.fill("#price", price)
        page.fill("#delivery_plan", "社工带义工，每周三次入户送餐并建立服务档案。")
        page.fill("#team", "社工 2 名，义工 12 名")
        page.click(f'form[action="/ngo/projects/{project_id}/bid"] button')
    page.goto(f"{live_server}/ngo/")
    stage.shot(page, "4-social-organization")

    # The tender closes; the community opens the bids and awards one.
    stage.at(datetime(2026, 3, 31, 5, 0))
    page = stage.login(community)
    page.goto(f"{live_server}/community/projects/{project_id}")
    page.get_by_label(winner.organization.name).check()
    page.click(f'form[action="/community/projects/{project_id}/award"] button')
    assert _state(project_id) is State.TENDERING  # a provisional award, in standstill
    page.goto(f"{live_server}/projects/{project_id}")
    assert "拟中标" in page.inner_text("main") and "公示期至" in page.inner_text("main")

    # No complaint: when the standstill ends the clock starts the contract.
    stage.at(datetime(2026, 4, 6, 5, 0))
    assert _state(project_id) is State.IMPLEMENTATION

    # The organization reports each milestone; the community accepts each one.
    stage.at(datetime(2026, 4, 20, 9, 0))
    ngo, manager = stage.login(winner), stage.login(community)
    sheet = sign_in_sheet()
    milestones = len(db.session.get(Project, project_id).milestones)
    db.session.commit()
    for n in range(milestones):
        ngo.goto(f"{live_server}/ngo/projects/{project_id}")
        card = ngo.locator("section.card", has=ngo.locator("textarea")).first
        card.locator("textarea").fill("入户送餐 120 次，附签到表与照片。")
        card.locator('input[name="people_served"]').fill("12")
        if n == 0:  # the first report carries the photographed sign-in sheet
            card.locator('input[type="file"]').set_input_files(
                files=[{"name": sheet.name, "mimeType": "image/png", "buffer": sheet.data}])
        with ngo.expect_navigation():
            card.locator("button").click()
        manager.goto(f"{live_server}/community/projects/{project_id}")
        assert "已提交待验收" in manager.inner_text("main")  # statuses speak Chinese too
        manager.click("details.confirm-step summary")  # the step that says what it releases
        assert "拨付" in manager.inner_text("details.confirm-step[open]")
        stage.shot(manager, "community-milestone-review")
        with manager.expect_navigation():
            manager.click("button[value=accept]")
        if n == 0:  # once accepted, the file is public record on the project page
            manager.goto(f"{live_server}/projects/{project_id}")
            evidence = manager.locator("#evidence-1")
            assert sheet.name in evidence.inner_text()
            stage.shot(manager, "public-evidence")
            manager.goto(f"{live_server}/community/projects/{project_id}")
    manager.click(f'form[action="/community/projects/{project_id}/submit_for_evaluation"] button')
    assert _state(project_id) is State.EVALUATION

    # The administrator appoints the panel; each evaluator scores, declaring no conflict.
    page = stage.login(admin)
    for evaluator in evaluators:
        page.check(f'form[action="/admin/panels/{project_id}"] input[value="{evaluator.id}"]')
    page.click(f'form[action="/admin/panels/{project_id}"] button')
    for evaluator in evaluators:
        page = stage.login(evaluator)
        page.click(f'a[href="/evaluator/projects/{project_id}"]')
        for field in page.locator('input[name^="score-"]').all():
            field.fill("90")  # the shipped indicators are scored out of 100
        page.check("#no_conflict")
        page.click("form.form button[type=submit]")
        assert "/evaluator/" in page.url and f"/evaluator/projects/{project_id}" not in page.url
    stage.shot(page, "5-evaluator")

    # The last evaluator closes the project out; its public page says it is completed.
    page.goto(f"{live_server}/evaluator/projects/{project_id}")
    close_out = page.locator("details.confirm-step",
                             has=page.locator("button[formaction$='/close_out']"))
    close_out.locator("summary").click()
    with page.expect_navigation():
        close_out.locator("button").click()
    assert _state(project_id) is State.COMPLETED
    page.goto(f"{live_server}/projects/{project_id}?lang=en")
    assert page.locator(".stage").first.inner_text() == "Completed"
    assert winner.organization.name in page.inner_text("main")
    stage.shot(page, "6-project-completed-en")
    page.goto(f"{live_server}/projects/{project_id}?lang=zh_CN")
    stage.shot(page, "6-project-completed")

    # The public home counts it; its station and the organization that delivered it link on.
    page.goto(f"{live_server}/?lang=zh_CN")
    assert page.inner_text("#figure-stations") == "1"
    # raised is what stayed with the project: the winning bid's ¥4,800 paid out; the ¥200
    # left in escrow went back to the enterprise
    assert page.inner_text("#figure-raised") == "¥4,800.00"
    assert page.inner_text("#figure-people") == "12"
    assert page.inner_text("#stage-completed") == "1"
    stage.shot(page, "0-public-home")
    page.click(f'a[href="/projects/{project_id}"]')
    page.click('a[href^="/stations/"]')
    stage.shot(page, "7-station")
    page.click('a[href^="/organizations/"]')
    assert "五马街道独居老人助餐服务包" in page.inner_text("main")
    page.goto(f"{live_server}/projects/{project_id}")
    page.click(f'a[href="/organizations/{winner.organization_id}"]')
    assert "五马街道独居老人助餐服务包" in page.inner_text("main")
    stage.shot(page, "8-organization")
