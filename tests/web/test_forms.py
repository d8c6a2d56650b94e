"""Each form: bad input (empty, negative, too large, wrong state) shows a message, saves nothing."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project, Review, Role, Subscription
from marketplace.services.core.moves import move
from tests.factories import at, gen_cast, gen_project, gen_station, services


def _count(model) -> int:  # noqa: ANN001
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _reload(project: Project) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project.id)


def test_subscription_needs_a_confirmation_step(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    auth.login(cast.enterprises[1])
    url = f"/enterprise/projects/{project.id}/subscribe?lang=en"
    before, committed = _count(Subscription), project.committed_fen
    page = client.post(url, data={"amount": "100.00"}).get_data(as_text=True)
    assert "Confirm the subscription" in page and "¥100.00" in page
    assert _count(Subscription) == before
    response = client.post(url, data={"amount": "100.00", "confirmed": "yes"})
    assert response.status_code == 302
    assert _count(Subscription) == before + 1
    assert _reload(project).committed_fen == committed + 10000


def test_bad_subscription_amounts_are_refused(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    auth.login(cast.enterprises[1])
    url = f"/enterprise/projects/{project.id}/subscribe?lang=en"
    before = _count(Subscription)
    too_much = str(project.remaining_fen / 100 + 1)
    for amount, message in [("", "This field is required"), ("-5", "above zero"),
                            ("0", "above zero"), (too_much, "may still be subscribed"),
                            ("1e30", "above zero"), ("abc", "Not a valid decimal")]:
        response = client.post(url, data={"amount": amount, "confirmed": "yes"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, amount
        assert message in page and 'class="error"' in page, amount
    assert _count(Subscription) == before


def test_subscribing_in_the_wrong_state_is_refused(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    clock(at(1))
    auth.login(cast.enterprises[0])
    response = client.post(f"/enterprise/projects/{project.id}/subscribe?lang=en",
                           data={"amount": "10", "confirmed": "yes"})
    assert response.status_code in (400, 409)
    assert _count(Subscription) == 0


def test_bad_bids_are_refused(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    auth.login(cast.ngos[0])
    bids = len(project.bids)
    for data, message in [({"price": "", "delivery_plan": "x"}, "This field is required"),
                          ({"price": "-1", "delivery_plan": "x"}, "above zero"),
                          ({"price": "100", "delivery_plan": ""}, "This field is required")]:
        response = client.post(f"/ngo/projects/{project.id}/bid?lang=en", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert len(_reload(project).bids) == bids


def _bundle_data(station_id: int, **overrides: str) -> dict[str, str]:
    code = services(1)[0].code
    data = {"station": str(station_id), "title": "助老午餐", "summary": "",
            "items-0-service": code, "items-0-quantity": "10", "items-0-unit_cost": "25.50",
            "target": "255", "minimum": "100", "subscription_opens_at": "2026-12-01",
            "subscription_closes_at": "2026-12-15", "tender_closes_at": "2026-12-30"}
    data.update(overrides)
    return data


def test_a_community_builds_a_bundle_with_a_computed_budget(client, auth) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    auth.login(cast.community)
    response = client.post("/community/bundles/new", data=_bundle_data(station.id))
    assert response.status_code == 302
    project = db.session.execute(db.select(Project)).scalar_one()
    assert project.budget_fen == 25500 and project.state is State.PACKAGING
    assert client.post(f"/community/projects/{project.id}/submit").status_code == 302
    assert _reload(project).review is Review.SUBMITTED


def test_bad_bundles_are_refused(client, auth) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    auth.login(cast.community)
    cases = [({"title": ""}, "This field is required"),
             ({"items-0-quantity": "-3"}, "Number must be between 1 and"),
             ({"items-0-unit_cost": "-1"}, "above zero"),
             ({"items-0-service": ""}, "at least one service item"),
             ({"target": "-10"}, "above zero"),
             ({"minimum": "99999999999"}, "above zero"),
             ({"tender_closes_at": "nonsense"}, "Not a valid date")]
    for overrides, message in cases:
        response = client.post("/community/bundles/new?lang=en",
                               data=_bundle_data(station.id, **overrides))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, overrides
        assert message in page, overrides
        assert 'value="助老午餐"' in page or overrides == {"title": ""}  # typed text kept
    assert _count(Project) == 0


def _submitted(cast) -> Project:  # noqa: ANN001
    """A bundle waiting for the administrator's review."""
    project = gen_project(cast, State.PACKAGING)
    move(project.id, "submit", actor=cast.community, now=at(0.01))
    return _reload(project)


def test_the_administrator_rejects_only_with_a_reason(client, auth, clock) -> None:
    cast = gen_cast()
    project = _submitted(cast)
    clock(at(0.1))
    auth.login(cast.admin)
    url = f"/admin/bundles/{project.id}?lang=en"
    response = client.post(url, data={"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "Give a reason." in response.get_data(as_text=True)
    assert _reload(project).review is Review.SUBMITTED
    assert client.post(url, data={"decision": "reject", "reason": "预算偏高"}).status_code == 302
    assert _reload(project).review is Review.REJECTED


def test_the_administrator_publishes_a_bundle(client, auth, clock) -> None:
    cast = gen_cast()
    project = _submitted(cast)
    clock(at(0.1))
    auth.login(cast.admin)
    assert client.post(f"/admin/bundles/{project.id}",
                       data={"decision": "approve"}).status_code == 302
    assert _reload(project).state is State.PUBLICATION
    timeline = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Publication" in timeline


def test_cancel_needs_a_reason_and_changes_nothing_without(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/cancel"
    page = client.post(url, data={"reason": " "}).get_data(as_text=True)
    assert "请填写理由" in page  # the guard's message, in the default language
    assert _reload(project).state is State.PUBLICATION
    assert client.post(url, data={"reason": "需求已由街道解决"}).status_code == 302
    assert _reload(project).state is State.CANCELLED


def test_award_of_no_bid_is_refused(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(31))
    auth.login(cast.community)
    response = client.post(f"/community/projects/{project.id}/award?lang=en", data={"bid": "999"})
    assert "Choose a valid bid" in response.get_data(as_text=True)
    assert _reload(project).state is State.TENDERING
    winner = project.bids[0].id
    assert client.post(f"/community/projects/{project.id}/award",
                       data={"bid": str(winner)}).status_code == 302
    project = _reload(project)
    assert project.state is State.TENDERING and project.award.bid_id == winner
    assert project.standstill_ends_at == at(36)  # the contract waits for the standstill


def test_evaluation_needs_the_declaration_and_scores_in_range(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    indicators = project.indicator_set.indicators
    clock(at(60))
    evaluator = cast.evaluators[0]
    auth.login(evaluator)
    url = f"/evaluator/projects/{project.id}?lang=en"
    scores = {f"score-{i.code}": str(i.max_score) for i in indicators}
    page = client.post(url, data=scores).get_data(as_text=True)
    assert "Declare that you have no conflict of interest." in page
    too_high = {**scores, f"score-{indicators[0].code}": str(indicators[0].max_score + 1)}
    page = client.post(url, data={**too_high, "no_conflict": "y"}).get_data(as_text=True)
    assert "A score must be between 0 and" in page
    assert not _reload(project).evaluations
    assert client.post(url, data={**scores, "no_conflict": "y"}).status_code == 302
    assert len(_reload(project).evaluations) == 1



def test_the_administrator_appoints_a_full_panel_from_the_admin_page(client, auth, clock) -> None:
    from marketplace.models import PanelAssignment

    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    clock(at(60))
    auth.login(cast.admin)
    assert f'action="/admin/panels/{project.id}"' in client.get("/admin/").get_data(as_text=True)
    too_few = {"evaluator_ids": [str(e.id) for e in cast.evaluators[:2]]}
    client.post(f"/admin/panels/{project.id}", data=too_few)
    assert _count(PanelAssignment) == 0
    client.post(f"/admin/panels/{project.id}",
                data={"evaluator_ids": [str(e.id) for e in cast.evaluators]})
    assert _count(PanelAssignment) == 3
    assert f'action="/admin/panels/{project.id}"' not in client.get("/admin/").get_data(
        as_text=True)


def test_an_evaluator_sees_only_the_projects_whose_panel_they_sit_on(client, auth) -> None:
    from tests.factories import gen_account

    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)  # the walk appoints cast.evaluators
    auth.login(gen_account(Role.EVALUATOR))
    assert project.title not in client.get("/evaluator/").get_data(as_text=True)
    auth.logout()
    auth.login(cast.evaluators[0])
    assert project.title in client.get("/evaluator/").get_data(as_text=True)
