"""Overdue duties on the pages: milestones, the progress-report cadence, the scoring deadline."""

from __future__ import annotations

from datetime import datetime

from marketplace.lifecycle import State
from tests.factories import at, gen_cast, gen_project

BADGE = 'class="badge badge-overdue"'


def test_an_overdue_milestone_carries_a_badge_on_every_project_page(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)  # the open milestone is due 2026-05-30
    clock(datetime(2026, 5, 30, 15, 59))  # still its due day in Shanghai
    assert BADGE not in client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)

    clock(datetime(2026, 5, 30, 16, 0))
    public = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert public.count(BADGE) == 1 and "2026-05-30" in public
    for account, url in ((cast.community, f"/community/projects/{project.id}?lang=en"),
                         (cast.ngos[0], f"/ngo/projects/{project.id}?lang=en")):
        auth.login(account)
        page = client.get(url).get_data(as_text=True)
        assert page.count(BADGE) == 1 and "Overdue" in page, url
        auth.logout()


def test_the_progress_report_cadence_shows_and_turns_overdue(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)  # last report 2026-04-11 09:00 UTC
    clock(datetime(2026, 5, 1))
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Next progress report due by 2026-07-11 17:00" in page  # Shanghai time
    clock(datetime(2026, 7, 11, 9, 0))
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert page.count(BADGE) == 2  # the milestone (due 05-30) and the report

    auth.login(cast.admin)
    board = client.get("/admin/dashboard?lang=en").get_data(as_text=True)
    section = board.split('id="progress-reports-due"')[1].split("</table>")[0]
    assert project.title in section and "2026-07-11" in section


def test_the_evaluator_sees_the_scoring_deadline_and_when_it_is_overdue(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)  # scoring due on day 73
    auth.login(cast.evaluators[1])
    clock(at(60))
    index = client.get("/evaluator/?lang=en").get_data(as_text=True)
    assert "Scoring due by" in index and BADGE not in index
    clock(at(73))
    for url in ("/evaluator/?lang=en", f"/evaluator/projects/{project.id}?lang=en"):
        page = client.get(url).get_data(as_text=True)
        assert "Scoring due by" in page and BADGE in page, url
