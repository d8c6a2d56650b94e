"""Every error is JSON {error, message} with the right 4xx, and a refused call changes nothing."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from tests.factories import gen_project, gen_station
from tests.web.api.helpers import bundle_body


def _events(project_id: int) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.project_id == project_id)).scalar_one()


def test_unknown_routes_and_methods_answer_in_json(client, cast) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    wrong = client.delete("/api/v1/catalog")
    assert wrong.status_code == 405 and wrong.json["error"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/api/v1/projects/abc").json["error"] == "not_found"


def test_unknown_project_and_unknown_move_are_404(client, cast, auth) -> None:
    admin = auth(cast.admin)
    assert client.get("/api/v1/projects/999").status_code == 404
    gone = client.post("/api/v1/projects/999/actions/submit", headers=admin)
    assert gone.status_code == 404 and gone.json == {"error": "not_found",
                                                     "message": "No project 999."}
    project = gen_project(cast, State.PUBLICATION)
    nonsense = client.post(f"/api/v1/projects/{project.id}/actions/fly", headers=admin)
    assert nonsense.status_code == 404 and "fly" in nonsense.json["message"]


def test_a_refused_move_is_409_naming_the_guard_and_changes_nothing(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.PUBLICATION)
    before = _events(project.id)
    clock.set(1)  # the subscription window opens on day 2
    refused = client.post(f"/api/v1/projects/{project.id}/actions/open_subscription",
                          headers=auth(cast.admin))
    assert refused.status_code == 409
    assert refused.json["error"] == "move_refused"
    assert refused.json["rule"] == "subscription_window_open"
    assert refused.json["message"] == "The subscription window has not opened yet."
    assert _events(project.id) == before
    assert db.session.get(Project, project.id).state is State.PUBLICATION


def test_a_stale_version_is_a_409_conflict(client, cast, auth) -> None:
    project = gen_project(cast, State.PUBLICATION)  # moved twice since version 1
    stale = client.post(f"/api/v1/projects/{project.id}/actions/cancel",
                        headers=auth(cast.admin), json={"expected_version": 1, "reason": "x"})
    assert stale.status_code == 409 and stale.json["error"] == "conflict"


def test_the_wrong_role_is_403(client, cast, auth) -> None:
    project = gen_project(cast)
    response = client.post(f"/api/v1/projects/{project.id}/actions/publish",
                           headers=auth(cast.community))
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    station = gen_station(cast.community)
    enterprise = client.post("/api/v1/projects", json=bundle_body(station.id),
                             headers=auth(cast.enterprises[0]))
    assert enterprise.status_code == 403


def test_another_communitys_bundle_is_hidden(client, cast, auth) -> None:
    project = gen_project(cast)
    from marketplace.models import Role
    from tests.factories import gen_account

    other = auth(gen_account(Role.COMMUNITY))
    assert client.get(f"/api/v1/projects/{project.id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/projects/{project.id}",
                      headers=auth(cast.community)).status_code == 200


@pytest.mark.parametrize(("payload", "kwargs", "field"), [
    ("{not json", {"content_type": "application/json"}, None),
    ("[1, 2]", {"content_type": "application/json"}, None),
    ({"amount_fen": "100"}, {}, "amount_fen"),
    ({"amount_fen": 1.5}, {}, "amount_fen"),
    ({"amount_fen": True}, {}, "amount_fen"),
    ({}, {}, "amount_fen"),
    ({"amount_fen": -100}, {}, "amount"),
    ({"amount_fen": 0}, {}, "amount"),
    ({"amount_fen": 10**30}, {}, "amount_fen"),
])
def test_bad_subscription_input_is_400_and_changes_nothing(
        client, cast, auth, clock, payload, kwargs, field) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    clock.set(5)
    before = (project.committed_fen, _events(project.id))
    url = f"/api/v1/projects/{project.id}/subscriptions"
    headers = auth(cast.enterprises[1])
    if isinstance(payload, str):
        response = client.post(url, data=payload, headers=headers, **kwargs)
    else:
        response = client.post(url, json=payload, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["error"] == "invalid" and response.json["message"]
    assert response.json.get("field") == field
    db.session.expire_all()
    assert (db.session.get(Project, project.id).committed_fen, _events(project.id)) == before


@pytest.mark.parametrize("change", [
    {"title": 5}, {"items": "MA-01"}, {"items": [{"service_code": "MA-01", "quantity": -1,
                                                 "unit_cost_fen": 100}]},
    {"items": [{"service_code": "XX-99", "quantity": 1, "unit_cost_fen": 100}]},
    {"subscription_opens_at": "next tuesday"}, {"station_id": "one"}, {"groups": [1]},
    {"title": "   "},
])
def test_bad_bundle_input_is_400_and_creates_nothing(client, cast, auth, change) -> None:
    station = gen_station(cast.community)
    response = client.post("/api/v1/projects", json=bundle_body(station.id, **change),
                           headers=auth(cast.community))
    assert response.status_code == 400, response.json
    assert set(response.json) >= {"error", "message"}
    assert db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one() == 0


def test_a_malformed_milestone_plan_is_refused_before_it_can_break_the_award(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    clock.set(20)
    response = client.post(f"/api/v1/projects/{project.id}/bids", headers=auth(cast.ngos[1]),
                           json={"price_fen": 1000, "delivery_plan": "plan",
                                 "milestone_plan": [{"title": "x", "due": "soon"}]})
    assert response.status_code == 400 and response.json["field"] == "due"
