"""What the public sees: headline figures and the filtered, searchable project listing.

Drafts (packaging) are the community's own work in progress: they count nowhere in public
until the administrator publishes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_

from marketplace.extensions import db
from marketplace.lifecycle import State, closes_at
from marketplace.models import (
    BeneficiaryGroup,
    BundleItem,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ServiceArea,
    ServiceType,
    Station,
    StationStatus,
)
from marketplace.services.core.memo import Kept
from marketplace.services.core.visibility import PUBLIC_STATES
from marketplace.services.record.transparency import raised_fen


@dataclass(frozen=True)
class Figures:
    stations: int
    projects_by_stage: dict[State, int]
    raised_fen: int
    people_served: int

    @property
    def projects(self) -> int:
        return sum(self.projects_by_stage.values())


def people_served() -> int:
    """People served by accepted milestones: each one's latest report, so a resubmission
    after a send-back is not counted twice."""
    latest = (db.select(func.max(ProgressReport.id))
              .join(Milestone, ProgressReport.milestone_id == Milestone.id)
              .where(Milestone.status == MilestoneStatus.ACCEPTED)
              .group_by(ProgressReport.milestone_id))
    return db.session.execute(
        db.select(func.coalesce(func.sum(ProgressReport.people_served), 0))
        .where(ProgressReport.id.in_(latest))).scalar_one()


def figures() -> Figures:
    stations = db.session.execute(db.select(func.count(Station.id))
                                  .where(Station.status == StationStatus.APPROVED)).scalar_one()
    counts = {state: n for state, n in db.session.execute(
        db.select(Project.state, func.count())  # count(*): answered from the index alone
        .where(Project.state.in_(PUBLIC_STATES)).group_by(Project.state))}
    # The ledger's figure, as each project's money trail says it: a release or a refund of
    # escrow lowers it (committed_fen is not lowered by a refund).
    return Figures(stations=stations,
                   projects_by_stage={s: counts.get(s, 0) for s in PUBLIC_STATES},
                   raised_fen=raised_fen(), people_served=int(people_served()))


SORTS = ("newest", "closing", "funded")  # the listing's orders; the first is the default


def closing_deadline(now: datetime) -> ColumnElement[Any]:
    """``lifecycle.closes_at`` as SQL, to sort the listing by it: the subscription's close while
    subscription is open, the tender's while the tender runs, else NULL (a test holds the
    listing's order to ``closes_at`` itself)."""
    return case(
        (and_(Project.state == State.SUBSCRIPTION, Project.subscription_closes_at > now),
         Project.subscription_closes_at),
        (and_(Project.state == State.TENDERING, Project.tender_closes_at > now),
         Project.tender_closes_at),
        else_=None)


def days_left(project: Project, now: datetime) -> int | None:
    """Whole days, rounded up, until the open window closes; None when none is open."""
    deadline = closes_at(project, now)
    if deadline is None:
        return None
    return math.ceil((deadline - now).total_seconds() / 86400)


@dataclass(frozen=True)
class Filters:
    """The listing's query string; unknown values are ignored rather than refused."""

    stage: str = ""
    area: str = ""
    county: str = ""
    group: str = ""
    q: str = ""
    sort: str = ""

    @property
    def active(self) -> bool:
        """Whether any filter narrows the listing (the sort does not)."""
        return any((self.stage, self.area, self.county, self.group, self.q))

    @property
    def matching(self) -> Filters:
        """The same filters without the order: what the count depends on."""
        return replace(self, sort="")

    def ordered(self, now: datetime) -> Select:
        """The matching projects in the chosen order, newest first by default; ties newest."""
        newest = (Project.created_at.desc(), Project.id.desc())
        query = self.select().order_by(None)
        if self.sort == "closing":
            deadline = closing_deadline(now)
            return query.order_by(deadline.is_(None), deadline, *newest)
        if self.sort == "funded":
            return query.order_by(Project.committed_fen.desc(), *newest)
        return query.order_by(*newest)

    def select(self) -> Select:
        query = db.select(Project).join(Station).where(Project.state.in_(PUBLIC_STATES))
        if self.stage in {s.value for s in PUBLIC_STATES}:
            query = query.where(Project.state == State(self.stage))
        if self.area:
            query = query.where(Project.items.any(
                BundleItem.service.has(ServiceType.area_code == self.area)))
        if self.county:
            query = query.where(Station.county == self.county)
        if self.group:
            query = query.where(Project.groups.any(BeneficiaryGroup.code == self.group))
        words = self.q.strip()[:100]
        if words:
            pattern = f"%{words}%"
            query = query.where(or_(Project.title.ilike(pattern), Project.summary.ilike(pattern),
                                    Station.name.ilike(pattern), Station.town.ilike(pattern)))
        return query.order_by(Project.created_at.desc(), Project.id.desc())

    def count(self) -> int:
        """How many public projects match, for the listing's page count."""
        return db.session.execute(db.select(func.count()).select_from(
            self.select().order_by(None).subquery())).scalar_one()


def counties() -> list[str]:
    """Counties that have a public project, for the filter's choices.

    Asked per station (a few hundred, each answered from the projects' station index), not
    by joining every project and de-duplicating.
    """
    public = db.select(Project.id).where(Project.station_id == Station.id,
                                         Project.state.in_(PUBLIC_STATES)).exists()
    return list(db.session.execute(
        db.select(Station.county).where(public).distinct().order_by(Station.county)).scalars())


@dataclass(frozen=True)
class Choice:
    """A catalog entry offered as a filter: its code and its names (for ``localized``)."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Showcase:
    """What the listing shows around its rows: the same for every visitor and every filter."""

    figures: Figures
    areas: tuple[Choice, ...]
    groups: tuple[Choice, ...]
    counties: tuple[str, ...]


def _choices(model: type[ServiceArea] | type[BeneficiaryGroup]) -> tuple[Choice, ...]:
    return tuple(Choice(code, zh, en) for code, zh, en in db.session.execute(
        db.select(model.code, model.name_zh, model.name_en).order_by(model.code)))


def _read_showcase() -> Showcase:
    return Showcase(figures=figures(), areas=_choices(ServiceArea),
                    groups=_choices(BeneficiaryGroup), counties=tuple(counties()))


def showcase(memo: Kept) -> Showcase:
    """The figures and the filter choices, read again only when the database changed: they
    aggregate every project (the listing's slowest statements), and change far less often
    than the page is read."""
    return memo.get("showcase", _read_showcase)
