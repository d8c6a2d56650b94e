"""The enquiry period on the pages and the API: ask, answer, read the answer without the asker."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project, Question
from marketplace.services.core.errors import Conflict
from marketplace.services.core.moves import move
from marketplace.services.tendering.enquiries import answer_question, ask_question
from tests.factories import PASSWORD, at, gen_cast, gen_project, gen_station
from tests.web.test_forms import _bundle_data

SECOND = timedelta(seconds=1)


def test_a_bidder_asks_on_its_page_until_the_deadline_then_sees_the_form_error(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    auth.login(cast.ngos[0])
    url = f"/ngo/projects/{project.id}/questions?lang=en"
    clock(project.enquiry_closes_at - SECOND)
    page = client.get(f"/ngo/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Ask a question about the tender" in page
    empty = client.post(url, data={"body": ""})
    assert empty.status_code == 400 and "This field is required" in empty.get_data(as_text=True)
    assert client.post(url, data={"body": "能否分两期入户？"}).status_code == 302

    clock(project.enquiry_closes_at)
    late = client.post(url, data={"body": "还有一个问题"})
    text = late.get_data(as_text=True)
    assert late.status_code == 400
    assert "The enquiry period is over: questions are no longer taken." in text
    assert "Ask a question about the tender" not in text
    asked = db.session.execute(db.select(Question.body)).scalars().all()
    assert asked == ["能否分两期入户？"]


def test_the_community_answers_and_everyone_reads_it_without_the_asker(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    question = ask_question(project.id, "服务对象名单由谁提供？", actor=cast.ngos[1], now=at(17))
    clock(at(18))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "服务对象名单由谁提供？" in page and "Publish the answer" in page
    url = f"/community/projects/{project.id}/questions/{question.id}/answer?lang=en"
    assert client.post(url, data={"answer": ""}).status_code == 400
    assert client.post(url, data={"answer": "由社区居委会提供。"}).status_code == 302
    auth.logout()

    public = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "服务对象名单由谁提供？" in public and "由社区居委会提供。" in public
    assert cast.ngos[1].organization.name not in public
    assert "Questions close" in public and "Enquiry period" in public
    auth.login(cast.ngos[0])  # the other bidder, who did not ask
    other = client.get(f"/ngo/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "由社区居委会提供。" in other and cast.ngos[1].organization.name not in other


def test_the_api_takes_questions_until_the_deadline_and_shows_answers_to_all(
        client, app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    moment = {"now": project.enquiry_closes_at - SECOND}
    app.config["CLOCK"] = lambda: moment["now"]
    app.config["API_TOKEN_TTL_HOURS"] = 24 * 365

    def headers(account):  # noqa: ANN001, ANN202
        token = client.post("/api/v1/tokens", json={"email": account.email,
                                                    "password": PASSWORD}).json["token"]
        return {"Authorization": f"Bearer {token}"}

    url = f"/api/v1/projects/{project.id}/questions"
    asked = client.post(url, json={"question": "可以联合投标吗？"}, headers=headers(cast.ngos[0]))
    assert asked.status_code == 201 and asked.json["answer"] is None
    assert "organization" not in asked.json
    assert client.get(url).json["questions"] == []  # not answered yet: not public
    assert len(client.get(url, headers=headers(cast.community)).json["questions"]) == 1

    moment["now"] = project.enquiry_closes_at
    late = client.post(url, json={"question": "再问一次"}, headers=headers(cast.ngos[1]))
    assert late.status_code == 409 and late.json["rule"] == "enquiry_open"
    assert "enquiry period is over" in late.json["message"]
    wrong = client.post(f"{url}/{asked.json['id']}/answer", json={"answer": "不可以"},
                        headers=headers(cast.ngos[1]))
    assert wrong.status_code == 403
    answered = client.post(f"{url}/{asked.json['id']}/answer", json={"answer": "不可以。"},
                           headers=headers(cast.community))
    assert answered.status_code == 200 and answered.json["answer"] == "不可以。"
    listing = client.get(url).json
    assert listing["enquiries_open"] is False
    assert [q["answer"] for q in listing["questions"]] == ["不可以。"]
    events = client.get(f"/api/v1/projects/{project.id}/events").json["events"]
    assert [e["actor"] for e in events if e["trigger"] == "ask_question"] == [""]
    tender = client.get(f"/api/v1/projects/{project.id}/ocds").json["releases"][-1]["tender"]
    assert tender["hasEnquiries"] is True
    assert tender["enquiryPeriod"]["endDate"].startswith(
        project.enquiry_closes_at.strftime("%Y-%m-%dT%H:%M"))


def test_answers_are_refused_once_the_tender_is_over(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    question = ask_question(project.id, "问题", actor=cast.ngos[0], now=at(17))
    move(project.id, "cancel", actor=cast.community, now=at(18), reason="不再需要")
    with pytest.raises(Conflict):
        answer_question(project.id, question.id, "答复", actor=cast.community, now=at(19))


def test_the_bundle_form_takes_an_enquiry_deadline_inside_the_tender_period(
        client, auth) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    auth.login(cast.community)
    late = client.post("/community/bundles/new?lang=en",
                       data=_bundle_data(station.id, enquiry_closes_at="2027-01-05"))
    page = late.get_data(as_text=True)
    assert late.status_code == 400 and "The enquiry period must end after" in page
    assert db.session.execute(db.select(db.func.count(Project.id))).scalar_one() == 0
    assert client.post("/community/bundles/new", data=_bundle_data(
        station.id, enquiry_closes_at="2026-12-20")).status_code == 302
    project = db.session.execute(db.select(Project)).scalar_one()
    assert project.enquiry_closes_at.date().isoformat() == "2026-12-20"
