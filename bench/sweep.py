"""Scheduler sweep benchmark: `--due` subscription deadlines among `--projects` projects.

Usage, on an empty database it may fill (PostgreSQL for the figure that matters):
    createdb bench && MARKETPLACE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench \\
        .venv/bin/python bench/sweep.py --projects 100000 --due 10000
It migrates, loads the catalog, generates `projects - due` projects of the usual mix plus
`due` projects in subscription (with their commitments on the ledger), makes those `due`
close now (a third below their minimum), times one `run_due(now)` and a second sweep (which
must find nothing), and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from flask_migrate import upgrade

from marketplace import create_app
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.generate import generate
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.catalog_sync import load_catalog
from scheduler.jobs import run_due


def _count(model: type) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        upgrade()
        load_catalog()
        now = utcnow()
        generate(args.projects - args.due, 10 * (args.projects - args.due), now=now)
        first_due = (db.session.execute(db.select(db.func.max(Project.id))).scalar() or 0) + 1
        generate(args.due, 10 * args.due, seed=7, now=now,
                 stage_weights={State.SUBSCRIPTION: 1})
        due = Project.id >= first_due
        db.session.execute(db.update(Project).where(due).values(
            subscription_closes_at=now - timedelta(minutes=1), next_check_at=now,
            funding_minimum_fen=db.case((Project.id % 3 == 0, Project.funding_target_fen),
                                        else_=db.func.least(Project.committed_fen,
                                                            Project.funding_target_fen))))
        db.session.commit()
        total, events_before = _count(Project), _count(AuditEvent)
        started = time.perf_counter()
        moved = run_due(now)
        elapsed = time.perf_counter() - started
        events = _count(AuditEvent) - events_before
        again = run_due(now)
    print("| projects | due | moved | audit events | second sweep | seconds | per deadline |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {total} | {args.due} | {len(moved)} | {events} | {len(again)} | "
          f"{elapsed:.2f} | {1000 * elapsed / max(args.due, 1):.2f} ms |")


if __name__ == "__main__":
    main()
