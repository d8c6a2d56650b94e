"""Issue 12's visibility findings, replayed as the requests that found them.

Bundles in packaging answered 200 to anyone on the public page, the role pages and OCDS while
the API said 404; the events API named each bidder during the tender and showed each
evaluator's own total while the panel scored.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.lifecycle import State
from marketplace.models import Role
from marketplace.ocds import ocid
from marketplace.services.core.moves import move
from marketplace.services.evaluation import evaluations
from tests.factories import PASSWORD, at, gen_account, gen_cast, gen_project

DRAFT_URLS = ["/projects/{id}", "/api/v1/projects/{id}/ocds", "/api/v1/projects/{id}/ocds/record",
              "/api/v1/projects/{id}", "/api/v1/projects/{id}/events"]
ROLE_URLS = {Role.SOCIAL_ORG: "/ngo/projects/{id}",
             Role.ENTERPRISE: "/enterprise/projects/{id}/subscribe",
             Role.EVALUATOR: "/evaluator/projects/{id}"}


@pytest.fixture
def cast(app):  # noqa: ANN001, ANN201
    return gen_cast()


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_a_bundle_in_packaging_is_not_there_for_a_visitor(client, cast, submitted) -> None:
    """GET /projects/1 (submitted) and /projects/11 (a draft never submitted), and its OCDS."""
    project = gen_project(cast, State.PACKAGING)
    if submitted:
        move(project.id, "submit", actor=cast.community, now=at(0.1))
    for url in DRAFT_URLS:
        response = client.get(url.format(id=project.id))
        assert response.status_code == 404, url
        assert project.title not in response.get_data(as_text=True)


def test_a_rejected_bundle_is_still_only_its_community_s(client, auth, cast) -> None:
    project = gen_project(cast, State.PACKAGING)
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    move(project.id, "reject", actor=cast.admin, now=at(0.2), reason="预算明细不全。")
    assert client.get(f"/projects/{project.id}").status_code == 404
    auth.login(gen_account(Role.COMMUNITY))
    assert client.get(f"/projects/{project.id}").status_code == 404
    assert client.get(f"/community/projects/{project.id}").status_code == 404
    for insider in (cast.community, cast.admin):
        auth.login(insider)
        page = client.get(f"/projects/{project.id}")
        assert page.status_code == 200 and project.title in page.get_data(as_text=True)


@pytest.mark.parametrize("role", list(ROLE_URLS), ids=lambda r: r.value)
def test_role_pages_of_a_bundle_in_packaging_are_not_there(client, auth, cast, role) -> None:
    """GET /ngo/projects/1, /enterprise/projects/1/subscribe and /evaluator/projects/1."""
    project = gen_project(cast, State.PACKAGING)
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    auth.login(gen_account(role))
    response = client.get(ROLE_URLS[role].format(id=project.id))
    assert response.status_code == 404
    assert project.title not in response.get_data(as_text=True)


def test_the_events_of_an_open_tender_name_no_bidder(client, cast, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    clock(at(20))  # the bids are in; the tender closes at 30
    events = client.get(f"/api/v1/projects/{project.id}/events")
    assert events.status_code == 200
    bids = [e for e in events.json["events"] if e["trigger"] == "bid"]
    assert len(bids) == 2 and all(e["actor"] == "" for e in bids)
    body = events.get_data(as_text=True)
    for ngo in cast.ngos:
        assert ngo.name not in body and ngo.organization.name not in body
    # the administrator reads the record whole
    token = client.post("/api/v1/tokens", json={"email": cast.admin.email,
                                                "password": PASSWORD}).json["token"]
    whole = client.get(f"/api/v1/projects/{project.id}/events",
                       headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    assert all(ngo.email in whole for ngo in cast.ngos)


def test_the_events_of_a_running_evaluation_show_no_evaluator_nor_score(client, cast) -> None:
    project = gen_project(cast, State.EVALUATION)
    indicators = project.indicator_set.indicators
    sheet = evaluations.evaluate(project.id, actor=cast.evaluators[0], no_conflict=True,
                                 now=at(80), scores={i.code: i.max_score * Decimal("0.7")
                                                     for i in indicators})
    events = client.get(f"/api/v1/projects/{project.id}/events").json["events"]
    scored = next(e for e in events if e["trigger"] == "evaluate")
    assert scored["actor"] == "" and "total_score" not in scored["details"]
    # nor does the public page give the running mean, which with one sheet in is that sheet
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"<strong>{sheet.total_score}</strong>" not in page
    assert cast.evaluators[0].name not in page


def test_sheets_and_the_score_are_published_with_the_close_out(client, cast) -> None:
    project = gen_project(cast, State.COMPLETED)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"<strong>{project.evaluation_score()}</strong>" in page
    events = client.get(f"/api/v1/projects/{project.id}/events").json["events"]
    assert all("total_score" in e["details"] for e in events if e["trigger"] == "evaluate")


def test_an_evaluator_on_no_panel_finds_no_scoring_page(client, auth, cast) -> None:
    project = gen_project(cast, State.EVALUATION)
    auth.login(gen_account(Role.EVALUATOR))
    assert client.get(f"/evaluator/projects/{project.id}").status_code == 404
    assert client.get(f"/projects/{project.id}").status_code == 200  # the public parts
    auth.login(cast.evaluators[0])
    assert client.get(f"/evaluator/projects/{project.id}").status_code == 200


def test_another_community_s_project_is_not_on_the_community_pages(client, auth, cast) -> None:
    project = gen_project(cast, State.TENDERING)
    auth.login(gen_account(Role.COMMUNITY))
    assert client.get(f"/community/projects/{project.id}").status_code == 404
    assert client.get(f"/projects/{project.id}").status_code == 200


def test_the_open_data_export_leaves_out_bundles_in_packaging(runner, cast, tmp_path) -> None:
    draft = gen_project(cast, State.PACKAGING)
    published = gen_project(cast, State.PUBLICATION)
    result = runner.invoke(args=["export", "ocds", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {f.stem for f in tmp_path.glob("*.json")} == {ocid(published)}
    assert ocid(draft) != ocid(published)
