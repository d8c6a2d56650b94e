"""Replaying a project's audit trail alone rebuilds the state stored on the project."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.core.errors import Invalid
from marketplace.services.record.audit import replay
from tests.factories import gen_cast, gen_project


def test_replay_equals_the_stored_state_for_every_demo_project(app) -> None:
    seed()
    projects = db.session.execute(db.select(Project)).scalars().all()
    assert {p.state for p in projects} == set(State)
    for project in projects:
        assert replay(project.id) is project.state, project.title


def test_a_trail_with_a_move_the_lifecycle_does_not_allow_is_refused(app) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    close = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="close_subscription")).scalar_one()
    db.session.execute(text("UPDATE audit_events SET to_state = 'completed' WHERE id = :id"),
                       {"id": close.id})
    db.session.commit()
    with pytest.raises(Invalid, match=f"#{close.id}"):
        replay(project.id)
