"""A due project whose row another transaction holds is retried, reported, and taken later.

As it was found: a request held a due project's row, ``FOR UPDATE SKIP LOCKED`` skipped it,
and ``flask scheduler run-once`` printed "0 project(s) moved" as if nothing were due.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Connection, event, text

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from scheduler import bulk
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project

OPENS = at(2).isoformat() + "Z"  # the factory projects' subscription opens then


def _states(*projects: Project) -> list[State]:
    db.session.expire_all()
    return [db.session.get(Project, p.id).state for p in projects]


@pytest.fixture
def holder(app) -> Iterator[Connection]:
    """A second connection to the database, as a request's transaction would hold it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite is tested below")
    with db.engine.connect() as connection:
        yield connection
        connection.rollback()


def _hold(connection: Connection, project: Project) -> None:
    connection.execute(text("SELECT id FROM projects WHERE id = :id FOR UPDATE"),
                       {"id": project.id})


def test_a_held_row_is_reported_as_locked_and_taken_by_the_next_sweep(
        holder: Connection, runner, caplog: pytest.LogCaptureFixture) -> None:
    cast = gen_cast()
    held, free = gen_project(cast, State.PUBLICATION), gen_project(cast, State.PUBLICATION)
    db.session.commit()
    _hold(holder, held)
    with caplog.at_level(logging.WARNING, logger="scheduler.jobs"):
        swept = runner.invoke(args=["scheduler", "run-once", "--at", OPENS])
    assert swept.exit_code == 0, swept.output
    assert f"project {free.id}: open_subscription" in swept.output
    assert "1 project(s) moved." in swept.output
    assert f"1 project(s) locked, left for the next sweep: {held.id}" in swept.output
    assert f"1 project(s) locked, left for the next sweep: {held.id}" in caplog.text
    assert _states(held, free) == [State.PUBLICATION, State.SUBSCRIPTION]

    holder.rollback()  # the request is done
    again = runner.invoke(args=["scheduler", "run-once", "--at", OPENS])
    assert f"project {held.id}: open_subscription" in again.output
    assert "1 project(s) moved." in again.output and "locked" not in again.output
    assert _states(held) == [State.SUBSCRIPTION]


def test_a_row_freed_while_the_batch_ran_is_taken_by_the_same_sweep(
        holder: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    cast = gen_cast()
    held, free = gen_project(cast, State.PUBLICATION), gen_project(cast, State.PUBLICATION)
    db.session.commit()
    _hold(holder, held)
    lock_due = bulk.lock_due

    def request_ends_after_the_batch(now: datetime, limit: int,
                                     skip: set[int]) -> list[bulk.ProjectRow]:
        rows = lock_due(now, limit, skip)
        if not rows:
            holder.rollback()
        return rows

    monkeypatch.setattr(bulk, "lock_due", request_ends_after_the_batch)
    swept = run_due(at(2))
    assert swept == {free.id: ["open_subscription"], held.id: ["open_subscription"]}
    assert swept.locked == []


@pytest.fixture
def sqlite_holder(app) -> Iterator[sqlite3.Connection]:
    """A request's write transaction on SQLite, which holds the whole database; the sweep's
    connections wait 0.3 s for it (the app's busy timeout is 10 s)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")

    def short_wait(connection: sqlite3.Connection, _record: object) -> None:
        connection.execute("PRAGMA busy_timeout=300")

    event.listen(db.engine, "connect", short_wait)
    db.session.remove()
    db.engine.dispose()
    connection = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        yield connection
    finally:
        if connection.in_transaction:
            connection.rollback()
        connection.close()
        event.remove(db.engine, "connect", short_wait)
        db.session.remove()
        db.engine.dispose()


def test_on_sqlite_a_writing_request_holds_every_row_and_the_sweep_says_so(
        sqlite_holder: sqlite3.Connection, runner, caplog: pytest.LogCaptureFixture) -> None:
    cast = gen_cast()
    first, second = gen_project(cast, State.PUBLICATION), gen_project(cast, State.PUBLICATION)
    db.session.commit()
    sqlite_holder.execute("BEGIN IMMEDIATE")
    sqlite_holder.execute("UPDATE projects SET title = title WHERE id = ?", (first.id,))
    with caplog.at_level(logging.INFO, logger="scheduler.jobs"):
        swept = runner.invoke(args=["scheduler", "run-once", "--at", OPENS])
    assert swept.exit_code == 0, swept.output
    assert "0 project(s) moved." in swept.output
    assert f"2 project(s) locked, left for the next sweep: {first.id}, {second.id}" \
        in swept.output
    assert "could not move it" not in caplog.text  # not taken for broken rows
    assert _states(first, second) == [State.PUBLICATION, State.PUBLICATION]

    sqlite_holder.rollback()
    again = runner.invoke(args=["scheduler", "run-once", "--at", OPENS])
    assert "2 project(s) moved." in again.output and "locked" not in again.output
    assert _states(first, second) == [State.SUBSCRIPTION, State.SUBSCRIPTION]
