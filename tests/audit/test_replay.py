"""Replaying a project's audit trail rebuilds what the database holds, and the demo's trails
are histories that could have happened."""

from __future__ import annotations

from sqlalchemy import text

from marketplace import lifecycle
from marketplace.demo import PROJECTS, seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.record.replay import compare, replay, trail
from tests.factories import at, gen_cast, gen_project


def _demo() -> list[Project]:
    seed()
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    assert {p.state for p in projects} == set(State) and len(projects) == len(PROJECTS)
    return projects


def test_every_demo_trail_in_time_order_is_a_history_the_lifecycle_allows(app) -> None:
    for project in _demo():
        events = trail(project.id)
        in_time = sorted(events, key=lambda e: (e.at, e.id))
        assert in_time == events, f"{project.title}: an event is dated before the one it follows"
        state = None
        for event in in_time:
            if state is None:
                assert (event.trigger, event.to_state) == ("create", State.PACKAGING.value)
                state = State.PACKAGING
                continue
            assert event.from_state == state.value, (project.title, event.id, event.trigger)
            if event.trigger in lifecycle.TRIGGERS:
                rules = [r for r in lifecycle.rules_from(state) if r.trigger == event.trigger]
                assert rules, f"{project.title}: {event.trigger} is not allowed from {state}"
                assert State(event.to_state) in {r.dest or state for r in rules}
                state = State(event.to_state)
            else:
                assert event.to_state == state.value, (project.title, event.trigger)
        assert state is project.state, project.title
        accepted = [e.at for e in events if e.trigger == "accept_milestone"]
        for end in (e for e in events if e.trigger in ("close_out", "terminate")):
            assert all(a <= end.at for a in accepted), f"{project.title}: accepted after {end}"
        for panel in (e for e in events if e.trigger == "assign_panel"):
            assert None not in panel.details["evaluator_ids"], project.title
            assert sorted(panel.details["evaluator_ids"]) == sorted(
                seat.evaluator_id for seat in project.panel)


def test_replay_matches_the_database_for_every_demo_project(app, runner) -> None:
    for project in _demo():
        comparison = compare(project)
        assert comparison.replayed.problems == [], project.title
        assert comparison.differences == [], (project.title, comparison.rows)
        assert comparison.replayed.state is project.state
    completed = next(p for p in _all() if p.state is State.COMPLETED)
    facts = dict((name, events) for name, events, _ in compare(completed).rows)
    assert facts["contract"] is not None and len(facts["milestones_accepted"]) == 2
    assert facts["evaluation_award"] is not None and facts["closed_at"] is not None
    result = runner.invoke(args=["audit", "replay", str(completed.id)])
    assert result.exit_code == 0, result.output
    assert "stage: completed  (matches)" in result.output
    assert "Replay matches the database." in result.output


def _all() -> list[Project]:
    return db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()


def test_a_stage_changed_in_the_database_is_a_difference_and_a_failure(app, runner) -> None:
    project = next(p for p in _demo() if p.state is State.COMPLETED)
    db.session.execute(text("UPDATE projects SET state = 'evaluation' WHERE id = :id"),
                       {"id": project.id})
    db.session.commit()
    db.session.expire_all()
    assert compare(db.session.get(Project, project.id)).differences == ["stage"]
    result = runner.invoke(args=["audit", "replay", str(project.id)])
    assert result.exit_code != 0
    assert "stage: DIFFERS: events say completed, database says evaluation" in result.output
    assert "differs in stage" in result.output


def test_a_trail_with_a_move_the_lifecycle_does_not_allow_is_a_contradiction(app,
                                                                            runner) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    close = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="close_subscription")).scalar_one()
    db.session.execute(text("UPDATE audit_events SET to_state = 'completed' WHERE id = :id"),
                       {"id": close.id})
    db.session.commit()
    assert any(f"#{close.id}" in problem for problem in replay(project.id).problems)
    result = runner.invoke(args=["audit", "replay", str(project.id)])
    assert result.exit_code != 0 and f"contradiction: event #{close.id}" in result.output


def test_an_event_dated_before_the_one_it_follows_is_a_contradiction(app) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    events = trail(project.id)
    db.session.execute(text("UPDATE audit_events SET at = :at WHERE id = :id"),
                       {"at": events[0].at - (events[-1].at - events[0].at), "id": events[-1].id})
    db.session.commit()
    db.session.expire_all()
    assert any(f"#{events[-1].id}" in p and "before the event it follows" in p
               for p in replay(project.id).problems)


def test_until_prints_the_state_the_events_gave_the_project_then(app, runner) -> None:
    project = gen_project(gen_cast(), State.IMPLEMENTATION)
    award = next(e for e in trail(project.id) if e.trigger == "award")
    then = replay(project.id, until=award.at)
    assert then.state is State.TENDERING and then.contract is None
    assert then.award == (award.details["bid_id"], award.details["organization_id"],
                          award.details["amount_fen"])
    result = runner.invoke(args=["audit", "replay", str(project.id), "--until",
                                 award.at.isoformat() + "Z"])
    assert result.exit_code == 0, result.output
    assert "stage: tendering" in result.output and "contract: —" in result.output
    before = runner.invoke(args=["audit", "replay", str(project.id), "--until",
                                 (project.created_at - (at(1) - at(0))).isoformat() + "Z"])
    assert before.exit_code != 0 and "has no audit trail" in before.output


def test_replay_of_a_project_that_does_not_exist_says_so(app, runner) -> None:
    result = runner.invoke(args=["audit", "replay", "999"])
    assert result.exit_code != 0 and "No project 999" in result.output
