"""Scheduler sweep benchmark: N due deadlines among all the generated projects.

Usage (after `flask demo generate` into the same database):
    MARKETPLACE_DATABASE_URL=postgresql+psycopg://... python bench/sweep.py --due 10000
It turns `--due` random completed projects back into subscriptions closing now (their
subscriptions committed again; a third of them below their minimum), times one `run_due(now)`
and a second sweep (which must find nothing), and prints a table. It changes the data: run it
on a generated database, not on one you want to keep.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from marketplace import create_app
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Commitment, Project, Subscription
from scheduler.jobs import run_due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        now = utcnow()
        total = db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one()
        ids = db.session.execute(
            db.select(Project.id).where(Project.state == State.COMPLETED)
            .order_by(db.func.random()).limit(args.due)).scalars().all()
        for chunk in range(0, len(ids), 1000):
            batch = ids[chunk:chunk + 1000]
            db.session.execute(db.update(Subscription).where(
                Subscription.project_id.in_(batch)).values(status=Commitment.COMMITTED))
            db.session.execute(db.update(Project).where(Project.id.in_(batch)).values(
                state=State.SUBSCRIPTION, subscription_closes_at=now - timedelta(minutes=1),
                tender_closes_at=now + timedelta(days=14), next_check_at=now,
                funding_minimum_fen=db.case(
                    (Project.id % 3 == 0, Project.funding_target_fen + 1),
                    else_=Project.funding_minimum_fen)))
        db.session.commit()
        events_before = db.session.execute(
            db.select(db.func.count()).select_from(AuditEvent)).scalar_one()
        started = time.perf_counter()
        moved = run_due(now)
        elapsed = time.perf_counter() - started
        events = db.session.execute(
            db.select(db.func.count()).select_from(AuditEvent)).scalar_one() - events_before
        again = run_due(now)
    print("| projects | due | moved | audit events | second sweep | seconds | per deadline |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {total} | {len(ids)} | {len(moved)} | {events} | {len(again)} | "
          f"{elapsed:.2f} | {1000 * elapsed / max(len(ids), 1):.2f} ms |")


if __name__ == "__main__":
    main()
