"""The sweep, its commands and the operators' commands stamp their events on the platform's
clock, the one the pages use: a clock run ahead writes a trail whose order in time is still the
order of its moves."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent
from marketplace.services.core.moves import move
from marketplace.services.implementation import delivery
from marketplace.services.record.replay import compare
from tests.factories import at, gen_cast, gen_project, state_of


def _event(project_id: int, trigger: str) -> AuditEvent:
    return db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project_id, trigger=trigger)).scalar_one()


def test_run_once_without_a_time_sweeps_on_the_clock_the_pages_use(app, runner) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=project.bids[0].id)
    app.config["CLOCK"] = lambda: at(40)  # the clock run ahead, as a demo or a test does
    swept = runner.invoke(args=["scheduler", "run-once"])
    assert swept.exit_code == 0 and "start_contract" in swept.output, swept.output
    assert state_of(project.id) is State.IMPLEMENTATION
    assert _event(project.id, "start_contract").at == at(40)
    # the people go on at the same clock: the trail stays in the lifecycle's order
    first = db.session.get(type(project), project.id).milestones[0]
    delivery.report_progress(project.id, first.id, actor=cast.ngos[0], body="已完成",
                             people_served=5, now=at(41))
    delivery.review_milestone(project.id, first.id, actor=cast.community, accept=True,
                              comment="", now=at(42))
    db.session.expire_all()
    comparison = compare(db.session.get(type(project), project.id))
    assert comparison.matches, (comparison.replayed.problems, comparison.differences)


def test_panel_assign_from_the_shell_is_dated_by_the_platform_clock(app, runner) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    app.config["CLOCK"] = lambda: at(45)
    result = runner.invoke(args=["panel", "assign", str(project.id),
                                 *(e.email for e in cast.evaluators), "--admin", cast.admin.email])
    assert result.exit_code == 0, result.output
    event = _event(project.id, "assign_panel")
    assert event.at == at(45)
    assert sorted(event.details["evaluator_ids"]) == sorted(e.id for e in cast.evaluators)
