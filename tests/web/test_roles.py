"""Every role × every page: allowed (200), forbidden (403) or sent to the log-in page."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus, PanelAssignment, Role
from marketplace.services.implementation import delivery
from marketplace.services.implementation.evidence import Upload
from tests.evidence_files import PDF
from tests.factories import at, gen_account, gen_cast, gen_project

ROLES = [None, Role.COMMUNITY, Role.ENTERPRISE, Role.SOCIAL_ORG, Role.EVALUATOR, Role.ADMIN]
PAGES = {  # path → the roles allowed; {id} is a project of the cast's community, {station} its
    "/projects/{id}": {Role.COMMUNITY, Role.ADMIN},  # station; the project is still packaged
    "/audit/head": set(ROLES),
    "/admin/stations/{station}": {Role.ADMIN},
    "/community/stations/new": {Role.COMMUNITY},
    "/admin/": {Role.ADMIN},
    "/admin/projects/{id}/audit": {Role.ADMIN},
    "/admin/match-offers": {Role.ADMIN},
    "/admin/match-offers/new": {Role.ADMIN},
    "/admin/evaluation-awards": {Role.ADMIN},
    "/admin/projects/{id}/panel": {Role.ADMIN},
    "/community/naming": {Role.COMMUNITY},
    "/enterprise/credit/move": {Role.ENTERPRISE},
    "/enterprise/credit/withdraw": {Role.ENTERPRISE},
    "/enterprise/naming": {Role.ENTERPRISE},
    "/community/": {Role.COMMUNITY},
    "/community/bundles/new": {Role.COMMUNITY},
    "/community/projects/{id}": {Role.COMMUNITY},
    "/enterprise/": {Role.ENTERPRISE},
    "/enterprise/projects/{id}/subscribe": {Role.ENTERPRISE},
    "/ngo/": {Role.SOCIAL_ORG},
    "/ngo/projects/{id}": {Role.SOCIAL_ORG},
    "/evaluator/": {Role.EVALUATOR},
    "/evaluator/projects/{id}": {Role.EVALUATOR},
    "/me/tokens/": set(ROLES) - {None},
}
# path → the roles that pass the page's role check yet may not see a bundle in packaging: for
# them it does not exist (tests/web/test_visibility_matrix.py walks every state)
HIDDEN = {
    "/projects/{id}": {None, Role.ENTERPRISE, Role.SOCIAL_ORG, Role.EVALUATOR},
    "/enterprise/projects/{id}/subscribe": {Role.ENTERPRISE},
    "/ngo/projects/{id}": {Role.SOCIAL_ORG},
    "/evaluator/projects/{id}": {Role.EVALUATOR},
}
POSTS = ["/admin/bundles/{id}", "/admin/stations/{station}", "/community/stations/new",
         "/community/projects/{id}/cancel", "/community/projects/{id}/award",
         "/enterprise/projects/{id}/subscribe", "/ngo/projects/{id}/bid",
         "/ngo/projects/{id}/bid/withdraw", "/evaluator/projects/{id}",
         "/ngo/projects/{id}/questions", "/community/projects/{id}/questions/1/answer",
         "/admin/match-offers/new", "/admin/match-offers/1/close",
         "/admin/evaluation-awards/{id}", "/community/naming/1/choose",
         "/enterprise/credit/move", "/enterprise/credit/withdraw", "/enterprise/naming"]


def _as(client, auth, cast, role):  # noqa: ANN001, ANN202
    if role is None:
        return
    account = {Role.COMMUNITY: cast.community, Role.ENTERPRISE: cast.enterprises[0],
               Role.SOCIAL_ORG: cast.ngos[0], Role.EVALUATOR: cast.evaluators[0],
               Role.ADMIN: cast.admin}[role]
    assert auth.login(account).status_code == 302


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_role_matrix(client, auth, role) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PACKAGING)
    _as(client, auth, cast, role)
    for template, allowed in PAGES.items():
        path = template.format(id=project.id, station=project.station_id)
        response = client.get(path)
        if role in HIDDEN.get(template, ()):
            assert response.status_code == 404, path
        elif role in allowed:
            assert response.status_code == 200, path
        elif role is None:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next="), path
        else:
            assert response.status_code == 403, path
    for template in POSTS:
        path = template.format(id=project.id, station=project.station_id)
        response = client.post(path, data={})
        if role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        elif not path.startswith(f"/{_prefix(role)}/"):
            assert response.status_code == 403, path


def _prefix(role: Role) -> str:
    return {Role.COMMUNITY: "community", Role.ENTERPRISE: "enterprise", Role.SOCIAL_ORG: "ngo",
            Role.EVALUATOR: "evaluator", Role.ADMIN: "admin"}[role]


def test_another_community_may_not_manage_the_project(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PACKAGING)
    auth.login(gen_account(Role.COMMUNITY))
    assert client.get(f"/community/projects/{project.id}").status_code == 404
    assert client.post(f"/community/projects/{project.id}/cancel",
                       data={"reason": "x"}).status_code == 404
    auth.login(cast.community)  # the project is untouched:
    assert client.get(f"/projects/{project.id}").status_code == 200
    assert db.session.get(type(project), project.id).state is State.PACKAGING


def test_pending_organization_may_look_but_not_act(client, auth) -> None:
    from marketplace.models import OrgStatus

    auth.login(gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING))
    assert client.get("/ngo/").status_code == 200
    page = client.get("/ngo/projects/1")
    assert page.status_code == 403


def test_evidence_download_matrix(client, auth) -> None:
    """Before the milestone is accepted: the station's community, the reporting organization,
    the administrator and a seated (not recused) evaluator; after: everyone."""
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    report = delivery.report_progress(project.id, milestone.id, actor=cast.ngos[0], body="x",
                                      now=at(60), evidence=[Upload("签到表.pdf", PDF)])
    url = f"/evidence/{report.evidence[0].id}"
    seated, recused = cast.evaluators[0], cast.evaluators[1]
    for evaluator, left in ((seated, None), (recused, at(61))):
        db.session.add(PanelAssignment(project_id=project.id, evaluator_id=evaluator.id,
                                       assigned_by_id=cast.admin.id, recused_at=left))
    db.session.commit()
    before = {cast.community: 200, cast.ngos[0]: 200, cast.admin: 200, seated: 200,
              recused: 403, cast.evaluators[2]: 403, cast.ngos[1]: 403,
              cast.enterprises[0]: 403, gen_account(Role.COMMUNITY): 403}
    for account, status in before.items():
        auth.login(account)
        with client.get(url) as response:
            assert response.status_code == status, account.email
        auth.logout()
    with client.get(url) as response:
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    delivery.review_milestone(project.id, milestone.id, actor=cast.community, accept=True,
                              now=at(61))
    for account in before:
        auth.login(account)
        with client.get(url) as response:
            assert response.status_code == 200, account.email
        auth.logout()
    with client.get(url) as response:
        assert response.status_code == 200 and response.data == PDF
    assert client.get("/evidence/999999").status_code == 404
