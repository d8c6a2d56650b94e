"""A sweep's SQL grows with batches, not with projects: the clock keeps up with a large city.

Each due project used to cost its own chain lock, audit look-up, account look-ups and
recipient query; now a batch of projects is read and settled in a bounded number of
statements, so four times the due deadlines in one batch must take well under twice the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import LedgerTransaction, Notification, Project
from marketplace.services.record.audit import verify
from marketplace.services.subscription import funding
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _due_projects(n: int) -> list[int]:
    """``n`` projects whose subscription closes at day 16: every other one reaches its
    minimum (it goes to tender: escrow, notifications), the others fall short (released)."""
    cast = gen_cast()
    ids = []
    for k in range(n):
        project = gen_project(cast, State.SUBSCRIPTION)
        if k % 2 == 0:
            funding.subscribe(project.id, project.funding_minimum_fen - project.committed_fen,
                              actor=cast.enterprises[1], now=at(4))
        ids.append(project.id)
    return ids


def _sweep_statements(ids: list[int]) -> list[str]:
    db.session.remove()
    with _counting() as statements:
        moved = run_due(at(16))
    assert set(moved) == set(ids)
    assert {triggers[0] for triggers in moved.values()} == {"close_subscription",
                                                            "fail_funding"}
    return statements


def _reads(statements: list[str]) -> list[str]:
    """All but the unit of work's row writes: queries, locks, look-ups, bulk updates."""
    return [s for s in statements if not s.startswith(("INSERT INTO", "UPDATE projects SET"))]


def test_four_times_the_due_projects_in_one_batch_cost_less_than_twice_the_statements(
        app) -> None:
    few = _due_projects(10)
    for_few = _sweep_statements(few)
    many = _due_projects(40)
    for_many = _sweep_statements(many)

    if db.engine.dialect.name == "postgresql":  # rows are written in batches too
        assert len(for_many) < 2 * len(for_few), (len(for_few), len(for_many))
    # SQLite cannot return the ids of a multi-row INSERT in order, so the unit of work writes
    # new rows one statement each there; everything else must not grow with the projects.
    assert len(_reads(for_many)) < 2 * len(_reads(for_few)), (_reads(for_few),
                                                              _reads(for_many))
    # and every move still left its trail: states, money, messages, an unbroken audit chain
    states = db.session.execute(db.select(Project.state).where(
        Project.id.in_(few + many))).scalars().all()
    assert states.count(State.TENDERING) == 25 and states.count(State.UNFUNDED) == 25
    postings = db.session.execute(db.select(LedgerTransaction.trigger).where(
        LedgerTransaction.project_id.in_(few + many))).scalars().all()
    assert postings.count("close_subscription") == 25 and postings.count("fail_funding") == 25
    assert db.session.execute(db.select(db.func.count()).select_from(Notification).where(
        Notification.project_id.in_(few + many))).scalar_one() >= 50
    assert verify() is None
