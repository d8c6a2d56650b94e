"""Public accountability: a visitor sees how a project was scored, its inspections, who decided
what and when (without e-mails), the OCDS link; and each station's page."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.lifecycle import State
from marketplace.services.evaluation.inspections import record_inspection
from marketplace.services.implementation.volunteers import add_volunteer, record_hours
from tests.factories import at, gen_cast, gen_project


@pytest.fixture
def cast(app):
    return gen_cast()


def _accounts(cast):
    return [cast.community, cast.admin, *cast.enterprises, *cast.ngos, *cast.evaluators]


def test_a_closed_project_shows_its_score_sheets_inspections_and_trail(cast, client) -> None:
    project = gen_project(cast, State.COMPLETED)
    record_inspection("effect", actor=cast.admin, inspected_on=date(2026, 6, 1),
                      findings="入户回访 20 户，满意度高。", rating="good",
                      project_id=project.id, now=at(100))
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)

    assert "86.00" in page, "every evaluator gave 86% of each maximum"
    assert 'id="indicator-means"' in page
    for evaluator in cast.evaluators:  # each sheet is public after close-out
        assert evaluator.name in page
    assert "入户回访 20 户，满意度高。" in page
    assert cast.community.organization.name in page and "<td>结项" in page  # close_out
    assert not any(account.email in page for account in _accounts(cast)), "no e-mails"
    assert f'href="/api/v1/projects/{project.id}/ocds"' in page
    assert f'href="/stations/{project.station_id}"' in page


def test_during_evaluation_sheets_and_scorers_stay_sealed(cast, client) -> None:
    project = gen_project(cast, State.EVALUATION)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "<td>组建评估小组" in page  # assign_panel, in words
    assert not any(e.name in page for e in cast.evaluators)
    assert not any(account.email in page for account in _accounts(cast))


def test_a_bidder_is_not_named_while_the_tender_is_open(cast, client) -> None:
    project = gen_project(cast, State.TENDERING)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert page.count("<td>投标") == 2  # two bids, in words
    assert not any(ngo.organization.name in page for ngo in cast.ngos)


def test_the_station_page_shows_details_projects_inspections_and_hours(cast, client) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)
    station = project.station
    volunteer = add_volunteer(station.id, actor=cast.community, name="王阿姨", now=at(40))
    for minutes in (90, 45):
        record_hours(volunteer.id, actor=cast.community, served_on=date(2026, 4, 15),
                     minutes=minutes, project_id=project.id, now=at(50))
    record_inspection("midterm", actor=cast.admin, inspected_on=date(2026, 4, 20),
                      findings="服务台账完整。", rating="excellent", project_id=project.id,
                      now=at(55))
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert station.name in page and station.address in page
    assert project.title in page and f'href="/projects/{project.id}"' in page
    assert "服务台账完整。" in page
    assert "义工 1 名，服务 2 小时 15 分钟" in page, "90 + 45 minutes"
    assert f'href="/stations/{station.id}"' in client.get("/").get_data(as_text=True)
    assert client.get("/stations/999999").status_code == 404
