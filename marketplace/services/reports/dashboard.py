"""The administrator's dashboard: the figures the leading-group office watches, in one place.

Every figure is read from the rows that already exist (stations, projects, the ledger,
milestones); nothing is stored, so the dashboard can never disagree with the record.

People served by beneficiary group — the rule: a project's ``people_served`` counts once it is
being delivered or was delivered (implementation, evaluation, completed). It is split evenly
between the groups the project names, to the person, by the largest-remainder rule of
``money.pro_rata`` (leftover people go to the groups first in code order); a project that names
no group counts under ``None`` ("no group named").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import selectinload

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AccountKind,
    BeneficiaryGroup,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Milestone,
    MilestoneStatus,
    Project,
    Station,
    StationStatus,
)
from marketplace.models.ledger import HOLDING_KINDS
from marketplace.services.finance.fund import FundFigures, fund_figures
from marketplace.services.finance.money import pro_rata
from marketplace.services.reports.coverage import Coverage, projects_by_stage, station_coverage

SERVING_STATES = (State.IMPLEMENTATION, State.EVALUATION, State.COMPLETED)


@dataclass(frozen=True)
class TownStations:
    county: str
    town: str
    approved: int
    pending: int


@dataclass(frozen=True)
class Money:
    """The fund's income, spending and holdings (``services/fund.py``), and the projects' money."""

    fund: FundFigures
    commitments_fen: int  # held for projects still in subscription
    escrow_fen: int  # collected and not yet paid out
    paid_fen: int  # paid to social organizations for accepted milestones


@dataclass(frozen=True)
class Overdue:
    project: Project
    milestone: Milestone
    days_late: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    coverage: Coverage
    towns: tuple[TownStations, ...]
    stages: dict[State, int]
    money: Money
    people: dict[BeneficiaryGroup | None, int]
    overdue: tuple[Overdue, ...]


def stations_per_town() -> tuple[TownStations, ...]:
    rows = db.session.execute(db.select(Station.county, Station.town, Station.status)).all()
    counts: dict[tuple[str, str], list[int]] = {}
    for county, town, status in rows:
        tally = counts.setdefault((county, town), [0, 0])
        tally[0] += status is StationStatus.APPROVED
        tally[1] += status is StationStatus.PENDING
    return tuple(TownStations(county, town, approved, pending)
                 for (county, town), (approved, pending) in sorted(counts.items()))


def money() -> Money:
    """Held in commitments and escrow, and paid in milestone tranches: the sums of every
    project's money trail (``transparency.money_trail``), so the page and the projects agree."""
    by_kind = dict(db.session.execute(
        db.select(LedgerAccount.kind, db.func.coalesce(db.func.sum(LedgerEntry.amount_fen), 0))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.kind.in_(HOLDING_KINDS))
        .group_by(LedgerAccount.kind)).all())
    paid = db.session.execute(
        db.select(db.func.coalesce(db.func.sum(LedgerEntry.amount_fen), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == AccountKind.ESCROW, LedgerEntry.amount_fen < 0,
               LedgerTransaction.trigger == "accept_milestone")).scalar_one()
    return Money(
        fund=fund_figures(),
        commitments_fen=int(by_kind.get(AccountKind.COMMITMENT, 0)),
        escrow_fen=int(by_kind.get(AccountKind.ESCROW, 0)),
        paid_fen=-int(paid),
    )


def people_by_group() -> dict[BeneficiaryGroup | None, int]:
    """Every beneficiary group with the people served (module docstring: the rule)."""
    groups = db.session.execute(
        db.select(BeneficiaryGroup).order_by(BeneficiaryGroup.code)).scalars().all()
    served: dict[BeneficiaryGroup | None, int] = {group: 0 for group in groups}
    served[None] = 0
    projects = db.session.execute(
        db.select(Project).where(Project.state.in_(SERVING_STATES))
        .options(selectinload(Project.groups))).scalars()
    for project in projects:
        named = sorted(project.groups, key=lambda g: g.code)
        if not named:
            served[None] += project.people_served
            continue
        for group, share in zip(named, pro_rata(project.people_served, [1] * len(named)),
                                strict=True):
            served[group] += share
    return served


def overdue_milestones(now: datetime) -> tuple[Overdue, ...]:
    """Milestones of projects in implementation whose due day has passed, not yet accepted."""
    today = local_date(now)
    rows = db.session.execute(
        db.select(Milestone).join(Project)
        .where(Project.state == State.IMPLEMENTATION, Milestone.due_on < today,
               Milestone.status != MilestoneStatus.ACCEPTED)
        .options(selectinload(Milestone.project))
        .order_by(Milestone.due_on, Milestone.id)).scalars()
    return tuple(Overdue(m.project, m, (today - m.due_on).days) for m in rows)


def dashboard(now: datetime) -> Dashboard:
    return Dashboard(today=local_date(now), coverage=station_coverage(),
                     towns=stations_per_town(), stages=projects_by_stage(), money=money(),
                     people=people_by_group(), overdue=overdue_milestones(now))
