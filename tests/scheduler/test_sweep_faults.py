"""One project the clock cannot move never stops it for the others."""

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from scheduler import jobs
from tests.factories import at, gen_cast, gen_project


def test_a_failing_project_is_left_for_the_next_sweep_and_the_rest_move(app, monkeypatch) -> None:
    cast = gen_cast()
    projects = [gen_project(cast, State.PUBLICATION) for _ in range(3)]
    bad = projects[1].id
    real_advance = jobs.advance

    def advance(project, now):
        if project.id == bad:
            raise RuntimeError("corrupt row")
        return real_advance(project, now)

    monkeypatch.setattr(jobs, "advance", advance)
    moved = jobs.run_due(at(2), batch=10)
    assert moved == {projects[0].id: ["open_subscription"], projects[2].id: ["open_subscription"]}
    db.session.expire_all()
    assert db.session.get(Project, bad).state is State.PUBLICATION
    monkeypatch.setattr(jobs, "advance", real_advance)
    assert jobs.run_due(at(2)) == {bad: ["open_subscription"]}
