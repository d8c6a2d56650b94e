"""Reporting on milestones and reviewing them; the administrator approving organizations."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus, OrgStatus, ProgressReport, Role
from tests.factories import at, gen_account, gen_cast, gen_project


def _open_milestone(project):  # noqa: ANN001, ANN202
    return next(m for m in project.milestones if m.status is not MilestoneStatus.ACCEPTED)


def test_progress_reports_refuse_bad_input_then_reach_the_community(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = _open_milestone(project)
    reports = len(project.progress_reports)
    clock(at(60))
    auth.login(cast.ngos[0])
    url = f"/ngo/projects/{project.id}/milestones/{milestone.id}/report?lang=en"
    for data, message in [({"body": "", "people_served": "3"}, "This field is required"),
                          ({"body": "done", "people_served": "-1"}, "Number must be between"),
                          ({"body": "done", "people_served": "99999999"}, "Number must be")]:
        response = client.post(url, data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(ProgressReport.id))).scalar_one() == reports
    assert client.post(url, data={"body": "入户 20 次", "people_served": "20"}).status_code == 302
    db.session.expire_all()
    assert milestone.status is MilestoneStatus.REPORTED

    auth.logout()
    auth.login(cast.ngos[1])  # not the awarded organization
    assert client.post(url, data={"body": "x", "people_served": "1"}).status_code == 403

    auth.logout()
    auth.login(cast.community)
    review = f"/community/projects/{project.id}/milestones/{milestone.id}?lang=en"
    page = client.post(review, data={"decision": "return", "comment": ""}).get_data(as_text=True)
    assert "Say what must be done again." in page
    db.session.expire_all()
    assert milestone.status is MilestoneStatus.REPORTED
    assert client.post(review, data={"decision": "accept"}).status_code == 302
    db.session.expire_all()
    assert milestone.status is MilestoneStatus.ACCEPTED


def test_the_administrator_approves_a_pending_organization(client, auth) -> None:
    pending = gen_account(Role.ENTERPRISE, status=OrgStatus.PENDING)
    admin = gen_account(Role.ADMIN)
    auth.login(admin)
    assert pending.organization.name in client.get("/admin/").get_data(as_text=True)
    url = f"/admin/organizations/{pending.organization_id}"
    assert client.post(url, data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert pending.organization.status is OrgStatus.APPROVED
    client.post(url, data={"decision": "reject"})  # already decided: nothing changes
    db.session.expire_all()
    assert pending.organization.status is OrgStatus.APPROVED
