"""A move and its side effects land together or not at all; concurrent moves never both win."""

from __future__ import annotations

import threading

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, AuditEvent, Commitment, Project, Subscription
from marketplace.services.core.errors import Conflict
from marketplace.services.core.moves import move
from tests.factories import at, gen_cast, gen_project


def snapshot(project_id: int) -> tuple:
    db.session.expire_all()
    project = db.session.get(Project, project_id)
    subscriptions = db.session.execute(
        db.select(Subscription.status, Subscription.amount_fen)
        .where(Subscription.project_id == project_id).order_by(Subscription.id)).all()
    audit = db.session.execute(
        db.select(db.func.count()).select_from(AuditEvent)
        .where(AuditEvent.project_id == project_id)).scalar_one()
    return project.state, project.committed_fen, project.version, subscriptions, audit


def test_a_failing_side_effect_leaves_state_money_and_audit_unchanged(app, monkeypatch) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    before = snapshot(project.id)

    def release_then_fail(self, now):
        for subscription in self.subscriptions:
            subscription.status = Commitment.RELEASED
        self.committed_fen = 0
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(Project, "release_commitments", release_then_fail)
    with pytest.raises(RuntimeError, match="ledger unavailable"):
        move(project.id, "fail_funding", actor="scheduler", now=at(16))
    assert snapshot(project.id) == before
    assert before[0] is State.SUBSCRIPTION and before[1] > 0


def test_a_move_on_a_stale_version_is_a_conflict(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    seen = project.version
    move(project.id, "open_subscription", actor="scheduler", now=at(2))
    with pytest.raises(Conflict, match="reload"):
        move(project.id, "cancel", actor=cast.community, now=at(3), reason="x",
             expected_version=seen)
    db.session.expire_all()
    assert project.state is State.SUBSCRIPTION


@pytest.mark.postgres
def test_two_concurrent_moves_on_one_project_exactly_one_wins(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    version, project_id, admin_id = project.version, project.id, cast.admin.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(trigger: str, **kwargs) -> None:
        with app.app_context():
            if kwargs.get("actor") == "admin":  # an account of this thread's own session
                kwargs["actor"] = db.session.get(Account, admin_id)
            barrier.wait()
            try:
                move(project_id, trigger, now=at(16), expected_version=version, **kwargs)
                outcomes.append(f"won:{trigger}")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=attempt, args=("fail_funding",), kwargs={"actor": "scheduler"}),
        threading.Thread(target=attempt, args=("cancel",),
                         kwargs={"actor": "admin", "reason": "x"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    db.session.expire_all()
    final = db.session.get(Project, project_id)
    winner = next(o for o in outcomes if o.startswith("won")).split(":")[1]
    assert final.state is {"fail_funding": State.UNFUNDED, "cancel": State.CANCELLED}[winner]
    moves = db.session.execute(db.select(AuditEvent.trigger).where(
        AuditEvent.project_id == project_id, AuditEvent.trigger.in_(
            ["fail_funding", "cancel"]))).scalars().all()
    assert moves == [winner]
