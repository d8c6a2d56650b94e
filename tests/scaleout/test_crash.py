"""A process killed in the middle of a move with ledger postings leaves the database as before.

The child writes the whole move (subscription, collection into escrow or release of the
commitments, audit event) and is SIGKILLed before its commit; the database must show the
project as it was, both verifications must pass, and the move must then succeed.
"""

from __future__ import annotations

import sys

import pytest
from flask import Flask
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, LedgerEntry, Project, Subscription
from marketplace.services.core.unit import lock_project
from marketplace.services.subscription.funding import subscribe
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project
from tests.scheduler.processes import Child

START_BOUND = 60.0  # a cold interpreter start on a busy two-core machine


def snapshot(project_id: int) -> tuple:
    db.session.expire_all()
    project = db.session.get(Project, project_id)
    subscriptions = db.session.execute(
        db.select(Subscription.status, Subscription.amount_fen)
        .where(Subscription.project_id == project_id).order_by(Subscription.id)).all()
    count = db.func.count()
    return (project.state, project.committed_fen, project.version, subscriptions,
            db.session.execute(db.select(count).select_from(AuditEvent)).scalar_one(),
            db.session.execute(db.select(count).select_from(LedgerEntry)).scalar_one())


def verified(app: Flask) -> bool:
    runner = app.test_cli_runner()
    ledger = runner.invoke(args=["ledger", "verify"])
    audit = runner.invoke(args=["audit", "verify"])
    return ledger.exit_code == 0 and audit.exit_code == 0


@pytest.mark.parametrize(("what", "when", "after"), [
    ("subscribe", at(5), State.TENDERING),  # the last subscription collects every commitment
    ("sweep", at(17), State.UNFUNDED),  # the clock releases the commitments as credit
])
def test_a_process_killed_before_its_commit_leaves_state_and_money_unchanged(
        app: Flask, what: str, when, after: State) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    enterprise = cast.enterprises[1]
    before = snapshot(project.id)
    assert verified(app)
    db.session.commit()  # the child must not wait for a lock this session holds
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    child = Child([sys.executable, "-m", "tests.scaleout.crash_child", url, what,
                   str(project.id), str(enterprise.id), when.isoformat()], env={})
    try:
        child.wait_for("FLUSHED", START_BOUND)
    finally:
        child.kill()
    assert not child.saw("COMMITTED")

    assert snapshot(project.id) == before
    assert verified(app)
    if db.engine.dialect.name == "postgresql":
        # The server ends the dead client's session, and its row lock, moments after the kill:
        # wait for that (the sweep would skip a locked row), but fail rather than hang.
        db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
        lock_project(project.id)
    if what == "subscribe":
        subscribe(project.id, db.session.get(Project, project.id).remaining_fen,
                  actor=enterprise, now=when)
    else:
        assert run_due(when) == {project.id: ["fail_funding"]}
    assert snapshot(project.id)[0] is after
    assert verified(app)
