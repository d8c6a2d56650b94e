"""Every role's signed-in home lists what waits for that person, each task linked to its form;
a second account of the same role sees none of the first one's; the header counts the tasks
and the unread notifications; the inbox marks messages read (issue 15, item 1)."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, time, timedelta

from flask import Flask, g
from flask.testing import FlaskClient

from marketplace.demo import Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    MilestoneStatus,
    Notification,
    OrgStatus,
    Project,
    Role,
    StationStatus,
)
from marketplace.services.core.moves import move
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.implementation.delivery import report_progress
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.tendering.enquiries import ask_question
from tests.factories import (
    PASSWORD,
    T0,
    at,
    gen_account,
    gen_cast,
    gen_project,
    gen_station,
    services,
)

TASK = re.compile(r'<a class="task-link" href="([^"]+)">([^<]+)</a>')


def _client(app: Flask, account: Account) -> FlaskClient:
    client = app.test_client()
    client.get("/lang/en")
    answer = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def _tasks(client: FlaskClient) -> tuple[list[tuple[str, str]], int, int]:
    """The page's tasks as (label, link), and the header's task and unread counts."""
    page = client.get("/tasks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    counts = [int(re.search(rf'id="{name}">(\d+)<', html).group(1))
              for name in ("header-task-count", "header-unread-count")]
    return [(label, link) for link, label in TASK.findall(html)], counts[0], counts[1]


def _project(cast, title: str, state: State, **draft) -> Project:  # noqa: ANN001
    station = gen_station(cast.community, name=f"{title}驿站")
    bundle = dataclasses.replace(bundle_draft(title, T0, services()), **draft)
    project = create_bundle(station.id, bundle, actor=cast.community, now=T0)
    if state is not State.PACKAGING:
        Walk(cast, project.id, T0).to(state)
    db.session.expire_all()
    return db.session.get(Project, project.id)


def test_log_in_lands_on_the_tasks_page(client: FlaskClient) -> None:
    account = gen_account(Role.COMMUNITY)
    answer = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/tasks"
    again = client.post("/login?next=/stations",
                        data={"email": account.email, "password": PASSWORD})
    assert again.headers["Location"] == "/stations"


def test_community_tasks_award_question_and_rejected_bundle(app: Flask, clock) -> None:
    cast, other = gen_cast(), gen_cast()
    tender = _project(cast, "甲社区助餐包", State.TENDERING, enquiry_closes_at=at(25))
    ask_question(tender.id, "器材谁提供？", actor=cast.ngos[0], now=at(20))
    rejected = _project(cast, "甲社区理发包", State.PACKAGING)
    Walk(cast, rejected.id, T0).to(State.PACKAGING)
    move(rejected.id, "reject", actor=cast.admin, now=at(1), reason="预算明细不全。")
    theirs = _project(other, "乙社区助餐包", State.TENDERING)
    clock(at(31))  # the tenders have closed, nobody awarded yet

    found, count, _unread = _tasks(_client(app, cast.community))
    links = dict(found)
    assert links["The tender is closed: award it"] == f"/community/projects/{tender.id}#bids"
    question = tender.questions[0].id
    assert links["Answer the bidder's question"] == \
        f"/community/projects/{tender.id}#question-{question}"
    assert links["Fix the bundle the administrator sent back"] == \
        f"/community/projects/{rejected.id}#review"
    assert count == len(found) == 3
    page = _client(app, cast.community).get("/tasks").get_data(as_text=True)
    assert "预算明细不全。" in page  # the reason it was sent back, beside the task
    # the form the task links to is there
    project_page = _client(app, cast.community).get(f"/community/projects/{tender.id}")
    assert 'id="bids"' in project_page.get_data(as_text=True)

    second, second_count, _ = _tasks(_client(app, other.community))
    assert second == [("The tender is closed: award it", f"/community/projects/{theirs.id}#bids")]
    assert second_count == 1
    assert not any(f"/{tender.id}#" in link or f"/{rejected.id}#" in link for _, link in second)


def test_community_milestone_to_accept_and_organization_report_due(app: Flask, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    pending = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    due = datetime.combine(pending.due_on, time(4))
    clock(due - timedelta(days=3))  # the milestone is due in three days

    found, count, _ = _tasks(_client(app, cast.ngos[0]))
    assert ("Report the milestone", f"/ngo/projects/{project.id}#milestone-{pending.id}") \
        in found
    assert count == len(found)
    assert _tasks(_client(app, cast.ngos[1]))[0] == []  # lost the tender: nothing to report
    assert not [t for t in _tasks(_client(app, cast.community))[0]
                if t[0] == "Review the reported milestone"]

    report_progress(project.id, pending.id, actor=cast.ngos[0], body="第二期完成",
                    people_served=10, now=due - timedelta(days=4))
    found, count, _ = _tasks(_client(app, cast.community))
    assert found == [("Review the reported milestone",
                      f"/community/projects/{project.id}#milestone-{pending.id}")]
    assert count == 1
    assert all(label != "Report the milestone" for label, _ in _tasks(
        _client(app, cast.ngos[0]))[0])
    assert _tasks(_client(app, gen_account(Role.COMMUNITY)))[0] == []


def test_organization_sees_open_tenders_it_has_not_bid_on(app: Flask, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    newcomer = gen_account(Role.SOCIAL_ORG)
    found, count, _ = _tasks(_client(app, newcomer))
    assert found == [("Open tender: submit a bid", f"/ngo/projects/{project.id}#bid")]
    assert count == 1
    assert _tasks(_client(app, cast.ngos[0]))[0] == []  # its sealed bid is in already


def test_evaluator_sheet_to_score_with_panel_progress(app: Flask, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    clock(project.evaluation_due_at - (project.evaluation_due_at - at(0)) / 2)
    evaluate(project.id, actor=cast.evaluators[1], no_conflict=True, now=at(60),
             scores={i.code: i.max_score for i in project.indicator_set.indicators})

    client = _client(app, cast.evaluators[0])
    found, count, _ = _tasks(client)
    assert found == [("Score the project", f"/evaluator/projects/{project.id}")]
    assert count == 1
    html = client.get("/tasks").get_data(as_text=True)
    assert "1 of 3 scored" in html and "Due " in html

    scored = _client(app, cast.evaluators[1])
    assert _tasks(scored)[0] == []
    waiting = scored.get("/tasks").get_data(as_text=True).split('id="panel-waiting"')[1]
    assert f"/evaluator/projects/{project.id}" in waiting and "1 of 3 scored" in waiting
    assert _tasks(_client(app, gen_account(Role.EVALUATOR)))[0] == []  # on no panel


def test_enterprise_credit_news_and_receipts(app: Flask, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.UNFUNDED)
    clock(at(17))
    client = _client(app, cast.enterprises[0])
    found, count, unread = _tasks(client)
    assert found == [("Place your released credit", "/enterprise/credit/move")]
    assert count == 1 and unread == 1  # "the project did not reach its minimum"
    html = client.get("/tasks").get_data(as_text=True)
    news = html.split('id="funded-news"')[1].split("</ul>")[0]
    assert f"/projects/{project.id}" in news
    receipt = project.subscriptions[0].id
    assert f"/enterprise/subscriptions/{receipt}/receipt.pdf" in html
    other = _client(app, cast.enterprises[1])  # subscribed to nothing here
    assert _tasks(other)[0] == []
    assert f"/enterprise/subscriptions/{receipt}/" not in other.get("/tasks").get_data(
        as_text=True)


def test_administrator_queues(app: Flask, clock) -> None:
    cast = gen_cast()
    submitted = _project(cast, "待审服务包", State.PACKAGING)
    Walk(cast, submitted.id, T0).to(State.PACKAGING)
    waiting = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING)
    station = gen_station(cast.community, name="待审驿站", status=StationStatus.PENDING)
    clock(at(1))
    found, count, _ = _tasks(_client(app, cast.admin))
    assert ("Review the bundle", f"/admin/#bundle-{submitted.id}") in found
    assert ("Approve or reject the organization",
            f"/admin/#organization-{waiting.organization_id}") in found
    assert ("Review the station", f"/admin/stations/{station.id}") in found
    assert count == len(found)
    assert f'id="bundle-{submitted.id}"' in _client(app, cast.admin).get("/admin/").get_data(
        as_text=True)
    # the community that submitted waits for the review: nothing for it to do on that bundle
    assert _tasks(_client(app, cast.community))[0] == []


def test_pending_organization_has_no_tasks_yet(app: Flask) -> None:
    account = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING)
    client = _client(app, account)
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "once the administrator approves your organization" in page.get_data(as_text=True)


def test_empty_tasks_page_says_what_to_do_next(app: Flask) -> None:
    client = _client(app, gen_account(Role.COMMUNITY))
    html = client.get("/tasks").get_data(as_text=True)
    assert 'id="no-tasks"' in html and 'href="/community/bundles/new"' in html


def test_tasks_and_inbox_need_signing_in(client: FlaskClient) -> None:
    for path in ("/tasks", "/inbox"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.post("/inbox/1/read").status_code == 302
    assert client.post("/inbox/read").status_code == 302


def test_inbox_marks_read_with_csrf_and_only_ones_own(app: Flask, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.UNFUNDED)
    clock(at(17))
    message = db.session.execute(db.select(Notification).filter_by(
        account_id=cast.enterprises[0].id)).scalar_one()
    stranger = _client(app, gen_account(Role.ENTERPRISE))
    assert stranger.post(f"/inbox/{message.id}/read").status_code == 404
    assert f"notification-{message.id}" not in stranger.get("/inbox?show=all").get_data(
        as_text=True)

    client = _client(app, cast.enterprises[0])  # signed in last: the test's app context
    html = client.get("/inbox").get_data(as_text=True)  # keeps the latest log-in's account
    assert f'id="notification-{message.id}"' in html
    assert f'href="/projects/{project.id}"' in html
    assert "did not reach its funding minimum" in html

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(f"/inbox/{message.id}/read")
        assert refused.status_code == 400
        db.session.expire_all()
        assert db.session.get(Notification, message.id).read_at is None
        g.pop("csrf_token", None)  # the test's app context outlives requests: no stale token
        page = client.get("/inbox").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        done = client.post(f"/inbox/{message.id}/read", data={"csrf_token": token})
        assert done.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Notification, message.id).read_at == at(17)
    assert _tasks(client)[2] == 0  # the header's unread count
    assert f"notification-{message.id}" not in client.get("/inbox").get_data(as_text=True)
    read = client.get("/inbox?show=all").get_data(as_text=True)
    assert f'id="notification-{message.id}"' in read and "Read " in read


def test_mark_all_read(app: Flask, clock) -> None:
    cast = gen_cast()
    gen_project(cast, State.UNFUNDED)
    clock(at(17))
    client = _client(app, cast.enterprises[0])
    assert client.post("/inbox/read").status_code == 302
    assert _tasks(client)[2] == 0
    assert db.session.execute(db.select(db.func.count()).select_from(Notification).where(
        Notification.read_at.is_(None),
        Notification.account_id == cast.enterprises[0].id)).scalar_one() == 0
