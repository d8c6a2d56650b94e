"""Concurrent subscribers: 200 enterprises subscribe at once to a project with 1% left.

Usage (run by hand, on PostgreSQL: SQLite has one writer and proves nothing here):
    .venv/bin/python -m bench.subscribers [--url URL] [--subscribers 200] [--pool 32]
It migrates the database if needed, adds one project walked to subscription through the real
services, subscribes it up to 1% below its target, then starts ``--subscribers`` threads that
each wait at a barrier and call ``funding.subscribe`` for a fiftieth of what remains, through
a pool of ``--pool`` connections (as that many web workers would). It prints successes,
refusals by reason, oversubscription (must be 0), throughput, and ``flask ledger verify``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from bench.pages import DEFAULT_URL, ensure_database
from marketplace import create_app
from marketplace.clock import utcnow
from marketplace.demo import Cast, Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    Organization,
    OrgStatus,
    Project,
    Role,
    ServiceType,
    Station,
    StationStatus,
    Subscription,
)
from marketplace.services.core.errors import ServiceError
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.packaging.catalog_sync import load_catalog
from marketplace.services.subscription.funding import subscribe

ROOT = Path(__file__).resolve().parents[1]


def accounts(role: Role, n: int, tag: str) -> list[Account]:
    """Approved organizations with one account each; no password (nobody logs in here)."""
    made = [Account(email=f"{role.value}-{tag}-{i}@bench.example", name=f"{role.value} {i}",
                    password_hash="!", organization=Organization(
                        name=f"{role.value} {tag} {i}", role=role,
                        status=OrgStatus.APPROVED, county="鹿城区"))
            for i in range(n)]
    db.session.add_all(made)
    db.session.commit()
    return made


def project_with_one_percent_left(tag: str) -> tuple[int, Cast]:
    """A project walked to subscription by the real services, then filled to 99%."""
    community, admin = (accounts(Role.COMMUNITY, 1, tag)[0], accounts(Role.ADMIN, 1, tag)[0])
    cast = Cast(community=community, admin=admin,
                enterprises=tuple(accounts(Role.ENTERPRISE, 2, f"{tag}-cast")),  # type: ignore[arg-type]
                ngos=(), evaluators=())
    station = Station(community=community.organization, name="五马社区爱心驿站", county="鹿城区",
                      town="五马街道", address="解放街 88 号", floor=1, area_m2=Decimal(40),
                      status=StationStatus.APPROVED)
    db.session.add(station)
    db.session.commit()
    start = utcnow() - timedelta(days=3, hours=1)  # its subscription opened a day ago
    services = list(db.session.execute(
        db.select(ServiceType).order_by(ServiceType.code).limit(2)).scalars())
    project = create_bundle(station.id, bundle_draft("助餐服务包", start, services),
                            actor=community, now=start)
    Walk(cast, project.id, start).to(State.SUBSCRIPTION)
    project = db.session.get(Project, project.id)
    subscribe(project.id, project.remaining_fen - project.funding_target_fen // 100,
              actor=cast.enterprises[1], now=start + timedelta(days=3, minutes=30))
    return project.id, cast


def race(app: Flask, project_id: int, subscribers: list[int], amount: int) -> tuple[
        Counter[str], float]:
    """Every subscriber at once; returns outcomes by kind and the seconds the race took."""
    barrier = threading.Barrier(len(subscribers) + 1)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def one(account_id: int) -> None:
        with app.app_context():
            actor = db.session.get(Account, account_id)
            db.session.commit()  # give the connection back while waiting at the barrier
            barrier.wait(timeout=120)
            try:
                subscribe(project_id, amount, actor=actor)
                outcome = "subscribed"
            except ServiceError as error:
                outcome = f"refused: {error.message}"
            finally:
                db.session.remove()
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=one, args=(a,)) for a in subscribers]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--pool", type=int, default=32, help="database connections")
    args = parser.parse_args()
    ensure_database(args.url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_size": args.pool, "max_overflow": 0, "pool_timeout": 300}})
    tag = f"{os.getpid()}-{int(time.time())}"
    with app.app_context():
        upgrade()
        load_catalog()
        project_id, _ = project_with_one_percent_left(tag)
        project = db.session.get(Project, project_id)
        remaining, target = project.remaining_fen, project.funding_target_fen
        subscribers = [a.id for a in accounts(Role.ENTERPRISE, args.subscribers, tag)]
        db.session.commit()
    amount = max(remaining // 50, 1)
    outcomes, seconds = race(app, project_id, subscribers, amount)
    with app.app_context():
        project = db.session.get(Project, project_id)
        committed, state = project.committed_fen, project.state
        summed = db.session.execute(db.select(db.func.sum(Subscription.amount_fen)).where(
            Subscription.project_id == project_id)).scalar_one()
    verify = subprocess.run([sys.executable, "-m", "flask", "ledger", "verify"], cwd=ROOT,
                            env={**os.environ, "FLASK_APP": "marketplace",
                                 "MARKETPLACE_DATABASE_URL": args.url},
                            capture_output=True, text=True)
    print(f"project {project_id}: target {target} fen, {remaining} fen left "
          f"({100 * remaining / target:.2f}%), each subscriber asks {amount} fen\n")
    print("| subscribers | pool | subscribed | refused | oversubscribed fen | seconds | "
          "attempts/s | committed = Σ subscriptions | state after | ledger verify |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
    refused = sum(n for kind, n in outcomes.items() if kind != "subscribed")
    print(f"| {args.subscribers} | {args.pool} | {outcomes['subscribed']} | {refused} | "
          f"{max(committed - target, 0)} | {seconds:.2f} | "
          f"{args.subscribers / seconds:.0f} | {'yes' if summed == committed else 'NO'} | "
          f"{state.value} | "
          f"{'exit 0' if verify.returncode == 0 else verify.stderr.strip()} |")
    for kind, n in sorted(outcomes.items()):
        print(f"- {kind}: {n}")


if __name__ == "__main__":
    main()
