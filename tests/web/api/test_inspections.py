"""GET and POST /api/v1/stations/{id}/inspections: the administrator's token only; a bad field
is a 400 naming it, a phase that does not fit is a 409 naming the rule, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Inspection, Role, StationStatus
from tests.factories import gen_account, gen_project, gen_station

SITE = {"phase": "site", "inspected_on": "2026-03-20", "rating": "pass",
        "findings": "一楼临街，面积 40 平方米。"}


@pytest.fixture
def pending(cast):  # noqa: ANN001, ANN201
    return gen_station(cast.community, name="南塘社区爱心驿站", status=StationStatus.PENDING)


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Inspection.id))),
            db.session.scalar(select(func.count(AuditEvent.id))))


def _url(station_id: int) -> str:
    return f"/api/v1/stations/{station_id}/inspections"


def test_the_administrator_records_and_lists_inspections(client, auth, cast, clock,
                                                        pending) -> None:  # noqa: ANN001
    clock.set(30)
    headers = auth(cast.admin)
    answer = client.post(_url(pending.id), json={**SITE, "follow_up": ""}, headers=headers)
    assert answer.status_code == 201, answer.json
    made = answer.json
    assert made["phase"] == "site" and made["rating"] == "pass"
    assert made["station_id"] == pending.id and made["project_id"] is None
    assert made["inspected_on"] == "2026-03-20"
    assert made["inspector"] == {"id": cast.admin.id, "name": cast.admin.name}

    second = auth(gen_account(Role.ADMIN))  # any administrator reads them
    listed = client.get(_url(pending.id), headers=second)
    assert listed.status_code == 200
    assert listed.json["station"] == {"id": pending.id, "name": pending.name,
                                      "status": "pending"}
    assert [i["id"] for i in listed.json["inspections"]] == [made["id"]]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.trigger == "inspect")
                               ).scalar_one()
    assert event.station_id == pending.id and event.details["inspection_id"] == made["id"]


def test_a_mid_term_inspection_names_its_project(client, auth, cast, clock) -> None:  # noqa: ANN001
    running = gen_project(cast, State.IMPLEMENTATION)
    clock.set(60)
    answer = client.post(_url(running.station_id), headers=auth(cast.admin), json={
        "phase": "midterm", "project_id": running.id, "inspected_on": "2026-04-29",
        "rating": "fail", "findings": "签到表缺少老人签字。", "follow_up": "五月底前补齐。"})
    assert answer.status_code == 201, answer.json
    assert answer.json["project_id"] == running.id and answer.json["follow_up"] == "五月底前补齐。"


@pytest.mark.parametrize("role", ["community", "enterprise", "ngo", "evaluator", None])
def test_only_an_administrator_s_token(client, auth, cast, clock, pending, role) -> None:  # noqa: ANN001
    clock.set(30)
    account = {"community": cast.community, "enterprise": cast.enterprises[0],
               "ngo": cast.ngos[0], "evaluator": cast.evaluators[0], None: None}[role]
    headers = auth(account) if account else {}
    before = _counts()
    expected = 401 if account is None else 403
    for answer in (client.get(_url(pending.id), headers=headers),
                   client.post(_url(pending.id), json=SITE, headers=headers)):
        assert answer.status_code == expected
        assert answer.json["error"] == ("unauthorized" if account is None else "forbidden")
    assert _counts() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"findings": " "}, "findings"),
    ({"findings": None}, "findings"),
    ({"phase": "audit"}, "phase"),
    ({"rating": "superb"}, "rating"),
    ({"rating": "fail"}, "follow_up"),
    ({"inspected_on": "2026-13-01"}, "inspected_on"),
    ({"inspected_on": "2027-01-01"}, "inspected_on"),
    ({"inspected_on": 20260320}, "inspected_on"),
    ({"project_id": 7}, "project_id"),
    ({"project_id": 2**40}, "project_id"),
    ({"follow_up": ["x"]}, "follow_up"),
])
def test_bad_fields_are_400s_naming_them(client, auth, cast, clock, pending, change,
                                         field) -> None:  # noqa: ANN001
    clock.set(30)
    before = _counts()
    body = {key: value for key, value in {**SITE, **change}.items() if value is not None}
    answer = client.post(_url(pending.id), json=body, headers=auth(cast.admin))
    assert answer.status_code == 400, answer.json
    assert answer.json["error"] == "invalid" and answer.json["field"] == field, answer.json
    assert answer.json["message"]
    assert _counts() == before


def test_a_phase_that_does_not_fit_is_a_409_naming_the_rule(client, auth, cast,
                                                            clock) -> None:  # noqa: ANN001
    packaging = gen_project(cast, State.PACKAGING)  # its station is approved (open)
    clock.set(30)
    headers = auth(cast.admin)
    before = _counts()
    site = client.post(_url(packaging.station_id), json=SITE, headers=headers)
    assert site.status_code == 409
    assert site.json["error"] == "conflict" and site.json["rule"] == "station_pending"
    midterm = client.post(_url(packaging.station_id), headers=headers, json={
        **SITE, "phase": "midterm", "project_id": packaging.id})
    assert midterm.status_code == 409 and midterm.json["rule"] == "inspection_phase_state"
    assert _counts() == before


def test_another_station_s_project_is_refused(client, auth, cast, clock) -> None:  # noqa: ANN001
    running = gen_project(cast, State.IMPLEMENTATION)
    other = gen_station(cast.community, name="另一个驿站")
    clock.set(60)
    before = _counts()
    answer = client.post(_url(other.id), headers=auth(cast.admin), json={
        **SITE, "phase": "midterm", "project_id": running.id, "inspected_on": "2026-04-29"})
    assert answer.status_code == 400 and answer.json["field"] == "project_id"
    assert _counts() == before


def test_a_station_that_is_not_there_is_a_404(client, auth, cast, clock) -> None:  # noqa: ANN001
    headers = auth(cast.admin)
    for answer in (client.get(_url(999), headers=headers),
                   client.post(_url(999), json=SITE, headers=headers),
                   client.get(_url(2**40), headers=headers)):
        assert answer.status_code == 404 and answer.json["error"] == "not_found"
