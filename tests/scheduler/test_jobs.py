"""The sweep moves projects whose deadline has come, once, and nothing before its time."""

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project


def test_the_sweep_opens_and_closes_windows_on_time_exactly_once(app) -> None:
    cast = gen_cast()
    published = gen_project(cast, State.PUBLICATION)
    open_ = gen_project(cast, State.SUBSCRIPTION)
    assert published.next_check_at == at(2) and open_.next_check_at == at(16)

    assert run_due(at(1.99)) == {}
    assert run_due(at(2)) == {published.id: ["open_subscription"]}
    assert run_due(at(2)) == {}
    assert run_due(at(16)) == {published.id: ["fail_funding"], open_.id: ["fail_funding"]}
    assert run_due(at(16)) == {}
    db.session.expire_all()
    assert published.state is State.UNFUNDED and published.next_check_at is None
    actors = db.session.execute(db.select(AuditEvent.actor).filter_by(
        project_id=published.id, trigger="fail_funding")).scalars().all()
    assert actors == ["scheduler"]


def test_a_scheduler_that_was_down_catches_up_in_one_sweep(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    assert run_due(at(20)) == {project.id: ["open_subscription", "fail_funding"]}
