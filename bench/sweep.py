"""Scheduler sweep benchmark: `--due` subscription deadlines among `--projects` projects.

Usage, with PostgreSQL for the figure that matters (the database named in the URL is dropped
and re-created on every run; a seed database ``<name>_seed_<projects>_<due>`` keeps the
generated data, so only the first run pays for generating it):
    MARKETPLACE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/sweep_bench \\
        .venv/bin/python bench/sweep.py --projects 100000 --due 10000
The seed holds `projects - due` projects of the usual mix plus `due` projects in subscription
(with their commitments on the ledger), a third of them below their minimum, all due now. The
run times one `run_due(now)` by wall clock and by process time, split by phase, then a second
sweep (which must find nothing), and prints Markdown tables. ``--profile FILE`` also writes a
cProfile of the sweep (slower; for finding hot spots, not for the figure).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import psycopg
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db
from marketplace.generate import generate
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.packaging.catalog_sync import load_catalog
from scheduler.jobs import run_due

NOW = datetime(2026, 6, 1, 12, 0)  # fixed, so a seed database stays valid for later runs
# (module, attribute) of each phase's entry point; a flush is charged to whoever causes it.
# The set-based path (scheduler/bulk) and the ORM path (moves.apply) have phases of their own.
PHASES = {
    "lock": ("scheduler.bulk", "lock_due"),
    "read (set-based)": ("scheduler.bulk", "Batch.__init__"),
    "decide (set-based)": ("scheduler.bulk", "Batch.apply"),
    "write (set-based)": ("scheduler.bulk", "Batch.write"),
    "load (ORM)": ("scheduler.jobs", "_load"),
    "lifecycle (ORM)": ("marketplace.lifecycle", "fire"),
    "ledger (ORM)": ("marketplace.services.finance.money", "settle"),
    "audit (ORM)": ("marketplace.services.core.moves", "record"),
    "notifications (ORM)": ("marketplace.services.core.moves", "send"),
}


def _admin(url: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                           password=parsed.password, dbname="postgres", autocommit=True)


def _prepare(url: str, projects: int, due: int) -> None:
    """Create the seed database once, then re-create the bench database as a copy of it."""
    name = make_url(url).database
    seed = f"{name}_seed_{projects}_{due}"
    with _admin(url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (seed,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{seed}"')
            _seed(str(make_url(url).set(database=seed)), projects, due)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seed}"')


def _seed(url: str, projects: int, due: int) -> None:
    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        load_catalog()
        generate(projects - due, 10 * (projects - due), now=NOW)
        first_due = (db.session.execute(db.select(db.func.max(Project.id))).scalar() or 0) + 1
        generate(due, 10 * due, seed=7, now=NOW, stage_weights={State.SUBSCRIPTION: 1})
        is_due = Project.id >= first_due
        db.session.execute(db.update(Project).where(is_due).values(
            subscription_closes_at=NOW - timedelta(minutes=1), next_check_at=NOW,
            funding_minimum_fen=db.case((Project.id % 3 == 0, Project.funding_target_fen),
                                        else_=db.func.least(Project.committed_fen,
                                                            Project.funding_target_fen))))
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    print(f"seeded {url} in {time.perf_counter() - started:.0f} s")


class Phases:
    """Wall and process time spent inside each phase's entry point (outermost call only)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._depth = 0

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[phase] += time.perf_counter() - wall
                self.cpu[phase] += time.process_time() - cpu
                self.calls[phase] += 1
                self._depth -= 1

        return timed


@contextmanager
def _timing(phases: Phases) -> Iterator[None]:


    saved = []
    for phase, (module_name, path) in PHASES.items():
        owner: Any = importlib.import_module(module_name)
        *parents, attribute = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        saved.append((owner, attribute, getattr(owner, attribute)))
        setattr(owner, attribute, phases.wrap(phase, getattr(owner, attribute)))
    session = db.session()
    saved.append((session, "commit", session.commit))
    session.commit = phases.wrap("commit", session.commit)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for owner, attribute, original in saved:
            setattr(owner, attribute, original)


def _count(model: type) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--only", type=int,
                        help="leave only this many of the due deadlines due (a quick figure)")
    parser.add_argument("--profile", help="write a cProfile of the sweep to this file")
    parser.add_argument("--orm", action="store_true",
                        help="every move through the ORM path (run_due(set_based=False))")
    args = parser.parse_args()
    url = os.environ["MARKETPLACE_DATABASE_URL"]
    _prepare(url, args.projects, args.due)
    app = create_app()
    with app.app_context():
        due = args.due
        if args.only is not None:
            due = min(args.only, args.due)
            last = db.session.execute(
                db.select(Project.id).where(Project.next_check_at == NOW).order_by(Project.id)
                .offset(due - 1).limit(1)).scalar_one()
            db.session.execute(db.update(Project).where(
                Project.next_check_at == NOW, Project.id > last)
                .values(next_check_at=NOW + timedelta(days=1)))
        total, events_before = _count(Project), _count(AuditEvent)
        db.session.commit()
        load = os.getloadavg()[0]
        phases = Phases()
        profile = cProfile.Profile() if args.profile else None
        with _timing(phases):
            wall, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            moved = run_due(NOW, set_based=not args.orm)
            if profile:
                profile.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profile:
            profile.dump_stats(args.profile)
        events = _count(AuditEvent) - events_before
        again = run_due(NOW)
    print(f"load average at start: {load:.2f}")
    print("| projects | due | moved | audit events | second sweep | seconds | CPU seconds | "
          "per deadline |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {total} | {due} | {len(moved)} | {events} | {len(again)} | {wall:.2f} | "
          f"{cpu:.2f} | {1000 * wall / max(due, 1):.2f} ms |")
    print()
    print("| phase | calls | seconds | CPU seconds |")
    print("|---|---:|---:|---:|")
    for phase in (*PHASES, "commit"):
        print(f"| {phase} | {phases.calls[phase]} | {phases.wall[phase]:.2f} | "
              f"{phases.cpu[phase]:.2f} |")
    rest_wall = wall - sum(phases.wall.values())
    rest_cpu = cpu - sum(phases.cpu.values())
    print(f"| other (sweep loop, ORM bookkeeping) | | {rest_wall:.2f} | {rest_cpu:.2f} |")


if __name__ == "__main__":
    main()
