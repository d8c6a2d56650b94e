"""The panel decides as a panel on the pages (issue 12): the progress and the quorum shown,
the decision buttons only when the panel may decide, the award's ranking only of decided
panels, and every page form that fires a move × every kind of account × the project's state."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import EvaluationAward, Project, Role
from tests.factories import (
    at,
    gen_account,
    gen_cast,
    gen_project,
    gen_sheets,
    gen_station,
    state_of,
)


def test_the_score_page_shows_the_panels_progress_and_decides_only_when_it_may(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    gen_sheets(project, cast.evaluators[:1], share="0.95")
    clock(at(61))
    auth.login(cast.evaluators[0])
    page = client.get(f"/evaluator/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "1 of 3 scored, quorum 3" in page
    assert "Close the project out" not in page
    refused = client.post(f"/evaluator/projects/{project.id}/close_out?lang=en", data={})
    assert refused.status_code == 409 and "1 of 3 panel members have scored" in \
        refused.get_data(as_text=True)
    assert state_of(project.id) is State.EVALUATION

    gen_sheets(project, cast.evaluators[1:], share="0.95")
    page = client.get(f"/evaluator/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    assert "3 人中已评分 3 人，法定人数 3" in page
    en = client.get(f"/evaluator/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Close the project out" in en and "Terminate" not in en  # a passing score
    assert client.post(f"/evaluator/projects/{project.id}/close_out",
                       data={}).status_code == 302
    assert state_of(project.id) is State.COMPLETED


def test_an_evaluator_on_no_panel_finds_no_score_page_button(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    gen_sheets(project, cast.evaluators, share="0.95")
    clock(at(61))
    auth.login(gen_account(Role.EVALUATOR))
    response = client.post(f"/evaluator/projects/{project.id}/close_out?lang=en", data={})
    assert response.status_code == 404  # the panel's workspace is not theirs (visibility)
    assert state_of(project.id) is State.EVALUATION


def test_the_administrator_sets_the_quorum_and_decides_with_two_sheets(client, auth,
                                                                       clock, share="0.95") -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    gen_sheets(project, cast.evaluators[:2], share="0.95")
    clock(at(61))
    auth.login(cast.admin)
    listed = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "2 of 3 scored, quorum 3" in listed.split('id="in-evaluation"')[1]
    url = f"/admin/projects/{project.id}/panel?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert "2 of 3 scored, quorum 3" in page and "Close the project out" not in page
    assert "Not yet scored" in page
    low = client.post(url, data={"quorum": "1"})
    assert low.status_code == 400 and "between 2 and 3" in low.get_data(as_text=True)
    typo = client.post(url, data={"quorum": "两"})
    assert typo.status_code == 400
    db.session.expire_all()
    assert db.session.get(Project, project.id).panel_quorum is None
    assert client.post(url, data={"quorum": "2"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "2 of 3 scored, quorum 2" in page and "Close the project out" in page
    assert client.post(f"/admin/projects/{project.id}/close_out", data={}).status_code == 302
    assert state_of(project.id) is State.COMPLETED
    listed = client.get("/admin/?lang=en").get_data(as_text=True)
    assert project.title not in listed.split('id="in-evaluation"')[1].split("</ul>")[0]


def test_one_sheet_of_three_is_no_score_for_an_evaluation_award(client, auth, clock) -> None:
    """The award finding: a project closed on one excellent sheet of three (as the old code
    allowed) is not ranked excellent, nor scored at all."""
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    gen_sheets(project, cast.evaluators[:1], share="0.98")
    project.state = State.COMPLETED  # closed out before the panel had decided
    db.session.commit()
    auth.login(cast.admin)
    ranking = client.get("/admin/evaluation-awards?lang=en").get_data(as_text=True)
    row = ranking.split(project.title)[1].split("</tr>")[0]
    assert "Excellent" not in row and "98.00" not in row and "—" in row
    public = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert 'id="panel-score"' not in public
    granted = client.post(f"/admin/evaluation-awards/{project.id}?lang=en",
                          data={"amount": "5000", "citation": "服务优秀"})
    assert granted.status_code == 409 and "has not decided a score" in \
        granted.get_data(as_text=True)
    assert db.session.execute(db.select(EvaluationAward)).first() is None


# --- the matrix: every page form that fires a move × every kind of account × state -----------

# path (with {id}) → who may post it: the route's role, and a party of the project.
FORMS = {
    "/community/projects/{id}/submit": {"community"},
    "/community/projects/{id}/cancel": {"community"},
    "/community/projects/{id}/submit_for_evaluation": {"community"},
    "/community/projects/{id}/award": {"community"},
    "/evaluator/projects/{id}/close_out": {"panel"},
    "/evaluator/projects/{id}/return_for_rectification": {"panel"},
    "/evaluator/projects/{id}/terminate": {"panel"},
    "/admin/projects/{id}/close_out": {"admin"},
    "/admin/projects/{id}/return_for_rectification": {"admin"},
    "/admin/projects/{id}/terminate": {"admin"},
    "/admin/bundles/{id}": {"admin"},
}
SEATED_IN = {State.EVALUATION, State.COMPLETED}
# A role page of a project the account stands in no relation to does not exist for it.
NOT_THEIRS = {"/community/": {"other_community"},
              "/evaluator/": {"other_evaluator", "evaluator"}}


def _parties(name: str, state: State) -> set[str]:
    if name in ("community", "admin"):
        return {name}
    if name == "evaluator" and state in SEATED_IN:
        return {"panel"}
    return set()


@pytest.mark.parametrize("state", [State.PACKAGING, State.TENDERING, State.IMPLEMENTATION,
                                   State.EVALUATION, State.COMPLETED])
def test_who_may_post_each_page_form_that_fires_a_move(client, auth, clock, state) -> None:
    cast = gen_cast()
    other_community = gen_account(Role.COMMUNITY)
    gen_station(other_community, name="山下社区爱心驿站")
    accounts = {"community": cast.community, "other_community": other_community,
                "admin": cast.admin, "enterprise": cast.enterprises[0],
                "supplier": cast.ngos[0], "other_ngo": cast.ngos[1],
                "evaluator": cast.evaluators[0], "other_evaluator": gen_account(Role.EVALUATOR)}
    project = gen_project(cast, state)
    if state is State.EVALUATION:
        # decided: only authority stands in the way
        gen_sheets(project, cast.evaluators, share="0.95")
    clock(at(200))
    for name, account in accounts.items():
        auth.logout()
        assert auth.login(account).status_code == 302
        for path, who in FORMS.items():
            url = path.format(id=project.id)
            response = client.post(url, data={"decision": "approve"})
            where = (url, name, state.value, response.status_code)
            if not who & _parties(name, state):
                hidden = any(path.startswith(prefix) and name in names
                             for prefix, names in NOT_THEIRS.items())
                assert response.status_code == (404 if hidden else 403), where
                assert state_of(project.id) is state, where
                continue
            assert response.status_code in (302, 400, 409), where
            if response.status_code == 302:  # it moved: the rest needs a fresh project
                project = gen_project(cast, state)
                if state is State.EVALUATION:
                    gen_sheets(project, cast.evaluators, share="0.95")
