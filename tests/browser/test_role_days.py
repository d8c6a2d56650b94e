"""Each role's day from its to-do list (issue 15): sign in, land on "My tasks", follow the
first task straight to its form, do it, and find it gone from the list. In Chinese, on a phone
(390 px) and on a desktop (1366 px), on the demo's world; screenshots of each list and form go
to test-artifacts/screenshots/role-days/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from marketplace.demo import DEMO_PASSWORD, seed

pytestmark = pytest.mark.browser
WIDTHS = (390, 1366)


class Day:
    """One person's session in chromium, at one width."""

    def __init__(self, browser, base: str, email: str, width: int, shots: Path) -> None:  # noqa: ANN001
        self.context = browser.new_context(locale="zh-CN",
                                           viewport={"width": width, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base, self.width, self.shots = base, width, shots
        self.role = email.split("@")[0]
        self.page.goto(f"{base}/login")
        self.page.fill("#email", email)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.click("form.form button[type=submit]")
        self.page.wait_for_load_state()

    def tasks(self) -> list[str]:
        """The to-do list as it reads: each task's label and what it is about."""
        assert self.page.url.endswith("/tasks"), self.page.url
        return [item.inner_text().strip() for item in self.page.locator("#tasks li").all()]

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.role}-{self.width}-{name}.png"),
                             full_page=True)

    def fits(self) -> None:
        """Nothing of the page scrolls sideways at this width."""
        wide = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= self.width, (self.page.url, wide)

    def follow(self, kind: str) -> None:
        self.page.locator(f"#tasks li.task-{kind} a.task-link").first.click()
        self.page.wait_for_load_state()
        self.fits()
        self.shot(kind)

    def back_to_tasks(self) -> list[str]:
        self.page.goto(f"{self.base}/tasks")
        self.fits()
        self.shot("after")
        return self.tasks()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "role-days"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _yuan(text: str) -> int:
    """The amount a task names, in fen."""
    whole, cents = re.search(r"¥([\d,]+)\.(\d\d)", text).groups()
    return int(whole.replace(",", "")) * 100 + int(cents)


def _chinese(page) -> None:  # noqa: ANN001
    assert page.locator("html").get_attribute("lang") in ("zh-CN", "zh_CN", "zh"), page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_each_role_does_its_first_task_from_the_list(app, browser, live_server, shots,  # noqa: ANN001
                                                     width) -> None:
    seed()

    # The community chooses a sponsor's name for its station: a step that says what happens
    # to the donation, then the button.
    day = Day(browser, live_server, "community@demo.cn", width, shots)
    before = day.tasks()
    day.shot("tasks")
    _chinese(day.page)
    assert any("冠名" in task for task in before), before
    day.follow("choose_naming")
    assert day.page.url.endswith("#station-1") or "/community/naming" in day.page.url
    step = day.page.locator("details.confirm-step").first
    step.locator("summary").click()
    assert "捐赠" in step.inner_text()  # what happens to the donation, said before the click
    step.locator("button[type=submit]").click()
    day.page.wait_for_load_state()
    after = day.back_to_tasks()
    assert not any("冠名" in task for task in after), after
    day.close()

    # The enterprise places its released credit on a project open for subscription.
    day = Day(browser, live_server, "enterprise@demo.cn", width, shots)
    before = day.tasks()
    day.shot("tasks")
    assert len(before) == 1 and "余额" in before[0], before
    day.follow("place_credit")
    day.page.select_option("#project", index=0)
    day.page.fill("#amount", "100")
    day.page.locator("form.form button[type=submit]").click()
    day.page.wait_for_load_state()
    day.page.locator("form.form button[type=submit]").click()  # the confirmation step
    day.page.wait_for_load_state()
    after = day.back_to_tasks()
    assert len(after) == 1 and _yuan(after[0]) == _yuan(before[0]) - 10_000, (before, after)
    day.close()

    # The evaluator scores the project on its panel.
    day = Day(browser, live_server, "evaluator@demo.cn", width, shots)
    before = day.tasks()
    day.shot("tasks")
    assert len(before) == 1 and "打分" in before[0], before
    day.follow("score")
    for field in day.page.locator("input[name^=score-]").all():
        label = day.page.locator(f"label[for={field.get_attribute('id')}]").inner_text()
        most = int(re.search(r"0–(\d+)", label).group(1))
        field.fill(str(most * 8 // 10))
    day.page.check("#no_conflict")
    day.page.locator("form.form button[type=submit]").first.click()
    day.page.wait_for_load_state()
    assert day.back_to_tasks() == []
    day.close()

    # The administrator approves the bundle waiting for review, and it is published.
    day = Day(browser, live_server, "admin@demo.cn", width, shots)
    before = day.tasks()
    day.shot("tasks")
    assert any("审核服务包" in task for task in before), before
    day.follow("review_bundle")
    section = day.page.locator("section[id^=bundle-]").first
    title = section.locator("h3, h2").first.inner_text()
    section.locator("button[value=approve]").click()
    day.page.wait_for_load_state()
    after = day.back_to_tasks()
    assert len(after) == len(before) - 1
    assert not any(title in task for task in after), (title, after)
    day.close()

    # The social organization has nothing waiting: the empty list says where to go next.
    day = Day(browser, live_server, "ngo@demo.cn", width, shots)
    assert day.tasks() == []
    day.shot("tasks")
    day.page.locator("#no-tasks a").click()
    day.page.wait_for_load_state()
    assert "/ngo/" in day.page.url
    day.fits()
    day.close()
