"""The bulk generator fills the database with a consistent mix of every stage."""

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import BundleItem, Project, Subscription
from marketplace.services.finance.ledger import balance, commitments_account


def test_generate_makes_every_stage_with_consistent_money(runner) -> None:
    result = runner.invoke(args=["demo", "generate", "--projects", "400",
                                 "--subscriptions", "3000"])
    assert result.exit_code == 0, result.output
    assert "400 projects" in result.output
    assert set(db.session.execute(db.select(Project.state)).scalars()) == set(State)
    committed = dict(db.session.execute(
        db.select(Project.id, Project.committed_fen)).all())
    subscribed = dict(db.session.execute(
        db.select(Subscription.project_id, db.func.sum(Subscription.amount_fen))
        .group_by(Subscription.project_id)).all())
    assert subscribed and all(committed[pid] == total for pid, total in subscribed.items())
    assert all(v == 0 for pid, v in committed.items() if pid not in subscribed)
    items = dict(db.session.execute(
        db.select(BundleItem.project_id,
                  db.func.sum(BundleItem.quantity * BundleItem.unit_cost_fen))
        .group_by(BundleItem.project_id)).all())
    budgets = dict(db.session.execute(db.select(Project.id, Project.budget_fen)).all())
    assert items == budgets
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    # The clock can close a generated subscription: its commitments are where it looks.

    live = db.session.execute(db.select(Project).where(
        Project.state == State.SUBSCRIPTION, Project.committed_fen > 0).limit(1)).scalar_one()
    assert balance(commitments_account(live)) == live.committed_fen
    per_project = sorted(db.session.execute(
        db.select(db.func.count()).select_from(Subscription)
        .group_by(Subscription.project_id)).scalars(), reverse=True)
    assert abs(sum(per_project) - 3000) < 300  # about what was asked
    assert per_project[0] > 10 * per_project[len(per_project) // 2]  # popularity is skewed
