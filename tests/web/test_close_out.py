"""The evaluator's decision after scoring: close out a passing project, refused before scores."""

from __future__ import annotations

from decimal import Decimal

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.services.evaluation.evaluations import evaluate
from tests.factories import at, gen_cast, gen_project


def _score(cast, project, share: str) -> None:  # noqa: ANN001
    for evaluator in cast.evaluators:
        evaluate(project.id, actor=evaluator, no_conflict=True, now=at(60),
                 scores={i.code: i.max_score * Decimal(share)
                         for i in project.indicator_set.indicators})


def test_an_evaluator_closes_out_a_passing_project_from_the_score_page(client, auth, clock):
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    clock(at(61))
    auth.login(cast.evaluators[0])
    url = f"/evaluator/projects/{project.id}/close_out?lang=en"
    refused = client.post(url, data={})
    assert refused.status_code == 409
    assert "0 of 3 panel members have scored" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert project.state is State.EVALUATION

    _score(cast, project, "0.9")
    page = client.get(f"/evaluator/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Your sheet is in." in page and "90.00" in page
    assert client.post(url, data={}).status_code == 302
    db.session.expire_all()
    assert project.state is State.COMPLETED


def test_a_failing_project_cannot_be_closed_out_and_others_may_not_decide(client, auth, clock):
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    _score(cast, project, "0.4")
    clock(at(61))
    auth.login(cast.ngos[0])
    assert client.post(f"/evaluator/projects/{project.id}/close_out", data={}).status_code == 403
    auth.logout()
    auth.login(cast.evaluators[1])
    page = client.post(f"/evaluator/projects/{project.id}/close_out?lang=en", data={})
    assert page.status_code == 409 and "below the pass mark" in page.get_data(as_text=True)
    assert client.post(f"/evaluator/projects/{project.id}/return_for_rectification",
                       data={"reason": "服务记录不全"}).status_code == 302
    db.session.expire_all()
    assert project.state is State.IMPLEMENTATION
