"""Every role × every page: allowed (200), forbidden (403) or sent to the log-in page."""

from __future__ import annotations

import pytest

from marketplace.lifecycle import State
from marketplace.models import Role
from tests.factories import gen_account, gen_cast, gen_project

ROLES = [None, Role.COMMUNITY, Role.ENTERPRISE, Role.SOCIAL_ORG, Role.EVALUATOR, Role.ADMIN]
PAGES = {  # path → the roles allowed; {id} is a project of the cast's community
    "/projects/{id}": set(ROLES),
    "/admin/": {Role.ADMIN},
    "/admin/projects/{id}/audit": {Role.ADMIN},
    "/admin/match-offers": {Role.ADMIN},
    "/admin/match-offers/new": {Role.ADMIN},
    "/admin/evaluation-awards": {Role.ADMIN},
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
}
POSTS = ["/admin/bundles/{id}", "/community/projects/{id}/cancel", "/community/projects/{id}/award",
         "/enterprise/projects/{id}/subscribe", "/ngo/projects/{id}/bid",
         "/evaluator/projects/{id}", "/admin/match-offers/new", "/admin/match-offers/1/close",
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
        path = template.format(id=project.id)
        response = client.get(path)
        if role in allowed:
            assert response.status_code == 200, path
        elif role is None:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next="), path
        else:
            assert response.status_code == 403, path
    for template in POSTS:
        path = template.format(id=project.id)
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
    assert client.get(f"/community/projects/{project.id}").status_code == 403
    assert client.post(f"/community/projects/{project.id}/cancel",
                       data={"reason": "x"}).status_code == 403
    assert gen_project.__module__  # the project is untouched:
    assert client.get(f"/projects/{project.id}").status_code == 200


def test_pending_organization_may_look_but_not_act(client, auth) -> None:
    from marketplace.models import OrgStatus

    auth.login(gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING))
    assert client.get("/ngo/").status_code == 200
    page = client.get("/ngo/projects/1")
    assert page.status_code == 403
