"""Bulk data for load tests: a city's decade of projects and subscriptions, fast.

Rows go in with Core ``insert`` executemany in batches (psycopg pipelines them on PostgreSQL),
not through the services: the point is volume, and the services' rules are tested elsewhere.
The mix is realistic enough for the query planner: every stage, ten years of dates, popularity
skewed so a few projects draw most subscriptions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert

from marketplace import lifecycle
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    AccountKind,
    BundleItem,
    Commitment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Organization,
    OrgStatus,
    Project,
    Review,
    Role,
    ServiceType,
    Station,
    StationStatus,
    Subscription,
)

COUNTIES = ["鹿城区", "龙湾区", "瓯海区", "洞头县", "乐清市", "瑞安市", "永嘉县", "平阳县",
            "苍南县", "文成县", "泰顺县"]
BATCH = 10_000
# Share of projects per stage: most history is finished; a city has a few hundred live ones.
STAGE_WEIGHTS = {
    State.PACKAGING: 2, State.PUBLICATION: 2, State.SUBSCRIPTION: 6, State.TENDERING: 3,
    State.IMPLEMENTATION: 6, State.EVALUATION: 2, State.COMPLETED: 60, State.UNFUNDED: 10,
    State.CANCELLED: 6, State.TERMINATED: 3,
}
DAY = timedelta(days=1)
# How many days ago a project in each stage was created, so its dates fit its stage
# (subscription opens 2 days after creation, closes after 16, the tender closes after 30).
AGE_DAYS = {
    State.PACKAGING: (0, 10), State.PUBLICATION: (0, 1.5), State.SUBSCRIPTION: (2.5, 15),
    State.TENDERING: (17, 29), State.IMPLEMENTATION: (31, 200), State.EVALUATION: (200, 260),
}


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model: type, rows: Iterator[dict[str, Any]]) -> list[int]:
    """Insert in batches; returns the new ids in the order of the rows."""
    ids: list[int] = []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    for batch in _batches(rows):
        ids += db.session.execute(statement, batch).scalars().all()
    return ids


def _counted(rows: Iterator[dict[str, Any]], advance: Callable[[int], None]
             ) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row
        advance(1)


def _organizations(role: Role, n: int, now: datetime, rng: random.Random) -> list[int]:
    return _insert(Organization, ({
        "name": f"{role.value}-{i}", "role": role, "status": OrgStatus.APPROVED,
        "county": rng.choice(COUNTIES), "created_at": now,
    } for i in range(n)))


def generate(projects: int, subscriptions: int, *, seed: int = 2013,
             now: datetime | None = None,
             stage_weights: dict[State, int] | None = None,
             advance: Callable[[int], None] = lambda _n: None) -> dict[str, int]:
    """Add ``projects`` projects and about ``subscriptions`` subscriptions; returns counts.

    ``advance(n)`` is told of every project and subscription row made (a progress bar)."""
    rng = random.Random(seed)
    now = now or utcnow()
    services = db.session.execute(db.select(ServiceType)).scalars().all()
    if not services:
        raise RuntimeError("Load the catalog first: flask catalog load")
    n_stations = max(projects // 200, 5)
    communities = _organizations(Role.COMMUNITY, n_stations, now, rng)
    enterprises = _organizations(Role.ENTERPRISE, max(projects // 50, 5), now, rng)
    stations = _insert(Station, ({
        "name": f"爱心驿站 {i}",
        "community_id": communities[i], "status": StationStatus.APPROVED,
        "county": rng.choice(COUNTIES), "town": f"镇 {i % 50}", "address": f"路 {i} 号",
        "floor": 1, "area_m2": Decimal(30 + i % 70), "created_at": now,
    } for i in range(n_stations)))

    weights = stage_weights or STAGE_WEIGHTS
    states = rng.choices(list(weights), weights=list(weights.values()), k=projects)
    plans: list[tuple[State, int, datetime]] = []

    def project_rows() -> Iterator[dict[str, Any]]:
        for state in states:
            created = now - timedelta(days=rng.uniform(*AGE_DAYS.get(state, (60, 3650))))
            budget = rng.randint(20, 800) * 100_00
            committed = budget if state in (State.TENDERING, State.IMPLEMENTATION,
                                            State.EVALUATION, State.COMPLETED,
                                            State.TERMINATED) else 0
            if state is State.SUBSCRIPTION:
                committed = budget * rng.randint(0, 90) // 100
            plans.append((state, committed, created))
            row = {
                "title": f"公益项目 {len(plans)}", "summary": "", "version": 1,
                "station_id": rng.choice(stations),
                "state": state, "review": Review.DRAFT if state is State.PACKAGING
                else Review.APPROVED,
                "budget_fen": budget, "funding_target_fen": budget,
                "funding_minimum_fen": budget * 6 // 10, "committed_fen": committed,
                "people_served": rng.randint(20, 400) if state is State.COMPLETED else 0,
                "subscription_opens_at": created + 2 * DAY,
                "subscription_closes_at": created + 16 * DAY,
                "tender_closes_at": created + 30 * DAY, "standstill_ends_at": None,
                "tender_reopened": False,
                "rectifications": 0, "created_at": created,
                "published_at": None if state is State.PACKAGING else created + DAY,
            }
            # when the clock looks next, as a move would set it (bundles in publication too)
            row["next_check_at"] = lifecycle.next_check_at(SimpleNamespace(**row), now)
            yield row
            advance(1)

    project_ids = _insert(Project, project_rows())
    budgets = db.session.execute(db.select(Project.id, Project.budget_fen).where(
        Project.id >= project_ids[0])).all() if project_ids else []
    # One item per bundle whose cost is the whole budget, so the bundle invariant holds.
    _insert(BundleItem, ({
        "project_id": pid, "service_code": rng.choice(services).code, "quantity": 1,
        "unit_cost_fen": budget, "note": "",
    } for pid, budget in budgets))
    funded = [(pid, *plan) for pid, plan in zip(project_ids, plans, strict=True)]
    made = len(_insert(Subscription, _counted(
        _subscription_rows(funded, enterprises, subscriptions, rng), advance)))
    _post_commitments(project_ids[0] if project_ids else 0, enterprises, now)
    db.session.commit()
    return {"stations": len(stations), "projects": len(project_ids), "subscriptions": made,
            "accounts": db.session.execute(
                db.select(db.func.count()).select_from(Account)).scalar_one()}


def _post_commitments(first_project: int, enterprises: list[int], now: datetime) -> None:
    """Put the generated money on the ledger, so `flask ledger verify` and the clock agree.

    One opening transaction per funded project: each enterprise's total leaves its balance
    and lands in the project's commitments (in subscription) or escrow (collected). Tranche
    payments of delivered projects are not generated: their escrow keeps the whole amount.
    """
    accounts = dict(zip(enterprises, _insert(LedgerAccount, ({
        "code": f"org:{org}", "name": f"enterprise {org}", "kind": AccountKind.ENTERPRISE,
        "organization_id": org, "created_at": now} for org in enterprises)), strict=True))
    given = db.session.execute(
        db.select(Subscription.project_id, Subscription.enterprise_id, Subscription.status,
                  db.func.sum(Subscription.amount_fen))
        .where(Subscription.project_id >= first_project)
        .group_by(Subscription.project_id, Subscription.enterprise_id, Subscription.status)
        .order_by(Subscription.project_id)).all()
    by_project: dict[int, list[tuple[int, Commitment, int]]] = {}
    for project_id, enterprise_id, status, total in given:
        by_project.setdefault(project_id, []).append((enterprise_id, status, int(total)))
    def holding_account(pid: int, status: Commitment) -> dict[str, Any]:
        # The same codes as services.finance.ledger.commitments_account / escrow_account.
        suffix, kind = (("commitments", AccountKind.COMMITMENT) if status is Commitment.COMMITTED
                        else ("escrow", AccountKind.ESCROW))
        return {"code": f"project:{pid}:{suffix}", "name": f"{suffix} of project {pid}",
                "kind": kind, "project_id": pid, "created_at": now}

    holding = dict(zip(by_project, _insert(LedgerAccount, (
        holding_account(pid, rows[0][1]) for pid, rows in by_project.items())), strict=True))
    transactions = dict(zip(by_project, _insert(LedgerTransaction, ({
        "reason": "Generated opening balance", "trigger": "generate", "project_id": pid,
        "created_at": now} for pid in by_project)), strict=True))
    _insert(LedgerEntry, (entry for pid, rows in by_project.items() for entry in (
        {"transaction_id": transactions[pid], "account_id": holding[pid],
         "amount_fen": sum(total for _, _, total in rows)},
        *({"transaction_id": transactions[pid], "account_id": accounts[org],
           "amount_fen": -total} for org, _, total in rows))))


def _subscription_rows(plans: list[tuple[int, State, int, datetime]], enterprises: list[int],
                       wanted: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Split each funded project's money among subscribers; popular projects draw more."""
    funded = [p for p in plans if p[2] > 0]
    if not funded:
        return
    weights = [1 / (rank + 1) for rank in range(len(funded))]  # Zipf-like popularity
    rng.shuffle(funded)
    counts = [0] * len(funded)
    for index in rng.choices(range(len(funded)), weights=weights, k=wanted):
        counts[index] += 1
    for (pid, state, committed, created), n in zip(funded, counts, strict=True):
        n = max(1, min(n, committed // 100))  # at least one yuan each
        status = Commitment.COMMITTED if state is State.SUBSCRIPTION else Commitment.COLLECTED
        share, rest = divmod(committed, n)
        for k in range(n):
            yield {
                "project_id": pid, "enterprise_id": rng.choice(enterprises),
                "amount_fen": share + (rest if k == 0 else 0), "status": status,
                "created_at": created + timedelta(days=2 + rng.random() * 2),
                "settled_at": None,
            }
