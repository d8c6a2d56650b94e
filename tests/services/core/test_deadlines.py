"""A deadline moves only forward, only before it passes, with a reason the audit trail keeps."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project, Role
from marketplace.services.core.deadlines import extend_deadline
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from scheduler.jobs import run_due
from tests.factories import at, gen_account, gen_cast, gen_project

REASON = "春节假期，企业财务审批推迟。"


def extensions(project: Project) -> list[AuditEvent]:
    return list(db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="extend_deadline")).scalars())


def test_an_extended_subscription_closes_at_the_new_time(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    extend_deadline(project.id, "subscription_closes_at", at(20), REASON,
                    actor=cast.community, now=at(10))
    db.session.expire_all()
    assert project.subscription_closes_at == at(20) and project.next_check_at == at(20)
    assert run_due(at(16)) == {}
    assert run_due(at(20)) == {project.id: ["fail_funding"]}

    [event] = extensions(project)
    assert event.reason == REASON and event.actor == cast.community.label
    assert event.details == {"field": "subscription_closes_at",
                             "previous": at(16).isoformat(), "new": at(20).isoformat()}


def test_the_administrator_may_extend_the_tender(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    extend_deadline(project.id, "tender_closes_at", at(40), REASON, actor=cast.admin,
                    now=at(20))
    db.session.expire_all()
    assert project.tender_closes_at == at(40)


@pytest.mark.parametrize("field, new_time, now, error", [
    ("subscription_closes_at", at(15), at(10), Invalid),  # backwards
    ("subscription_closes_at", at(16), at(10), Invalid),  # not later at all
    ("subscription_closes_at", at(20), at(16), Conflict),  # already passed
    ("subscription_closes_at", at(31), at(10), Invalid),  # past the tender deadline
    ("subscription_opens_at", at(3), at(1), Conflict),  # a stage the project has left
    ("closed_at", at(40), at(10), Invalid),  # not a deadline
])
def test_refused_extensions_change_nothing(app, field, new_time, now, error) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    with pytest.raises(error):
        extend_deadline(project.id, field, new_time, REASON, actor=cast.community, now=now)
    db.session.expire_all()
    assert project.subscription_closes_at == at(16) and project.next_check_at == at(16)
    assert extensions(project) == []


def test_only_the_owning_community_or_an_administrator_with_a_reason(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    stranger = gen_account(Role.COMMUNITY)
    for actor in (cast.enterprises[0], stranger):
        with pytest.raises(Forbidden):
            extend_deadline(project.id, "subscription_closes_at", at(20), REASON,
                            actor=actor, now=at(10))
    with pytest.raises(Invalid):
        extend_deadline(project.id, "subscription_closes_at", at(20), "  ",
                        actor=cast.community, now=at(10))
    assert extensions(project) == []
