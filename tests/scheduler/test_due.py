"""A passed deadline is due at once, a refused one is not due for ever, old rows are caught up.

``next_check_at`` used to count only future deadlines: a project that arrived in a stage
after its deadline was never looked at again.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.generate import generate
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.core.moves import move
from marketplace.services.subscription import funding
from scheduler import bulk
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project


def _reload(project: Project) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project.id)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many batches each sweep locked: a project kept due for ever would never stop it."""
    locked: list[int] = []
    lock_due = bulk.lock_due

    def counting(now: datetime, limit: int, skip: set[int]) -> list[bulk.ProjectRow]:
        locked.append(1)
        if len(locked) > 20:  # not an Exception: the sweep would take it for a broken row
            pytest.fail("the sweep keeps taking the same projects")
        return lock_due(now, limit, skip)

    monkeypatch.setattr(bulk, "lock_due", counting)
    return locked


def test_a_project_arriving_after_its_deadline_is_due_at_once(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PACKAGING)
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    move(project.id, "publish", actor=cast.admin, now=at(2.2))  # opened at at(2)
    assert _reload(project).next_check_at == at(2)
    assert run_due(at(2.2)) == {project.id: ["open_subscription"]}
    assert _reload(project).next_check_at == at(16)


@pytest.mark.parametrize("funded", [True, False], ids=["funded", "short"])
def test_of_two_moves_on_one_deadline_the_refused_one_does_not_hide_the_other(
        app, funded: bool, batches: list[int]) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    if funded:  # funded to its minimum, and its subscription closed at(16) unswept
        move(project.id, "open_subscription", actor="scheduler", now=at(2))
        funding.subscribe(project.id, project.funding_minimum_fen, actor=cast.enterprises[0],
                          now=at(3))
    else:  # opened by hand after it should have closed: it arrives late, short of money
        move(project.id, "open_subscription", actor=cast.admin, now=at(17))
    # close_subscription and fail_funding share at(16): one is refused, the other is due
    assert lifecycle.next_check_at(_reload(project), at(17)) == at(16)
    trigger = "close_subscription" if funded else "fail_funding"
    assert run_due(at(17)) == {project.id: [trigger]}
    assert _reload(project).state is (State.TENDERING if funded else State.UNFUNDED)


def test_a_deadline_whose_moves_are_refused_is_not_due_for_ever(
        app, batches: list[int]) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)  # valid bids wait for the award
    assert project.next_check_at == at(30)
    assert lifecycle.next_check_at(project, at(31)) is None
    assert run_due(at(31)) == {}
    assert _reload(project).next_check_at is None and project.state is State.TENDERING
    taken = len(batches)
    assert run_due(at(32)) == {} and len(batches) - taken == 1  # one empty batch, nothing due
    # the community's award starts the clock again, at the end of the standstill
    move(project.id, "award", actor=cast.community, now=at(33), bid_id=project.bids[0].id)
    assert _reload(project).next_check_at == at(38)
    assert run_due(at(38)) == {project.id: ["start_contract"]}


def test_rows_an_older_release_left_without_a_check_are_caught_up(app, batches) -> None:
    cast = gen_cast()
    late = gen_project(cast, State.PUBLICATION)
    waiting = gen_project(cast, State.TENDERING)
    # what the old next_check_at wrote: nothing, once the deadline had passed
    db.session.execute(db.update(Project).values(next_check_at=None))
    db.session.commit()
    assert run_due(at(31)) == {late.id: ["open_subscription", "fail_funding"]}
    assert _reload(waiting).next_check_at is None and waiting.state is State.TENDERING
    assert run_due(at(32)) == {}
    events = db.session.execute(db.select(AuditEvent.trigger).filter(
        AuditEvent.project_id == waiting.id, AuditEvent.at >= at(31))).scalars().all()
    assert events == []


def test_generated_bundles_are_on_the_clock_in_every_stage_it_acts_on(app) -> None:
    now = at(0)
    generate(60, 50, now=now, stage_weights={State.PUBLICATION: 1, State.SUBSCRIPTION: 1,
                                             State.TENDERING: 1})
    projects = db.session.execute(db.select(Project)).scalars().all()
    deadline = {State.PUBLICATION: "subscription_opens_at",
                State.SUBSCRIPTION: "subscription_closes_at",
                State.TENDERING: "tender_closes_at"}
    assert {p.state for p in projects} == set(deadline)
    for p in projects:
        assert p.next_check_at == getattr(p, deadline[p.state]), p.state
    opening = [p.id for p in projects if p.state is State.PUBLICATION]
    moved = run_due(max(p.subscription_opens_at for p in projects
                        if p.state is State.PUBLICATION))
    assert {pid for pid, triggers in moved.items() if "open_subscription" in triggers} \
        == set(opening)
