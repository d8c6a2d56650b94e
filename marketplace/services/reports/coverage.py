"""Station coverage against the plan: the policy's target is a station in each of 50 central
towns by the end of 2013, allocated by county (appendix 5).

A town counts as covered when it has at least one approved station. The plan per county is
configuration (``MARKETPLACE_COVERAGE_PLAN="鹿城区=6,瑞安市=8"``) because appendix 5's table is
not part of the policy text we have; the total target is ``MARKETPLACE_COVERAGE_TARGET_TOWNS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project, Station, StationStatus
from marketplace.services.reports.exports import csv_text

DEFAULT_TARGET_TOWNS = 50


def parse_plan(text: str) -> dict[str, int]:
    """``"鹿城区=6,瑞安市=8"`` → ``{"鹿城区": 6, "瑞安市": 8}``; raises ValueError saying where."""
    plan: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        county, _, towns = part.partition("=")
        if not county.strip() or not towns.strip().isdigit():
            raise ValueError(f"coverage plan entry {part!r}: write it as county=number of towns")
        plan[county.strip()] = int(towns)
    return plan


@dataclass(frozen=True)
class CountyCoverage:
    county: str
    planned_towns: int | None  # None: the county is not in the plan
    towns: tuple[str, ...]  # towns with at least one approved station
    approved: int
    pending: int

    @property
    def shortfall(self) -> int:
        return max((self.planned_towns or 0) - len(self.towns), 0)


@dataclass(frozen=True)
class Coverage:
    target_towns: int
    counties: tuple[CountyCoverage, ...]

    @property
    def towns_covered(self) -> int:
        return sum(len(c.towns) for c in self.counties)

    @property
    def on_target(self) -> bool:
        return self.towns_covered >= self.target_towns


def station_coverage() -> Coverage:
    plan = parse_plan(current_app.config.get("COVERAGE_PLAN", ""))
    rows = db.session.execute(db.select(Station.county, Station.town, Station.status)).all()
    counties = list(plan) + sorted({county for county, _, _ in rows} - set(plan))
    result = []
    for county in counties:
        mine = [(town, status) for c, town, status in rows if c == county]
        approved = [town for town, status in mine if status is StationStatus.APPROVED]
        result.append(CountyCoverage(
            county=county, planned_towns=plan.get(county),
            towns=tuple(sorted(set(approved))), approved=len(approved),
            pending=sum(status is StationStatus.PENDING for _, status in mine)))
    target = current_app.config.get("COVERAGE_TARGET_TOWNS", DEFAULT_TARGET_TOWNS)
    return Coverage(target_towns=target, counties=tuple(result))


def projects_by_stage() -> dict[State, int]:
    """Every lifecycle state with its number of projects, zeros included."""
    counts = dict(db.session.execute(
        db.select(Project.state, db.func.count()).group_by(Project.state)).all())
    return {state: counts.get(state, 0) for state in State}


def coverage_csv(coverage: Coverage) -> str:
    rows: list[tuple[object, ...]] = [("county", "planned_towns", "towns_covered", "shortfall",
                                       "approved_stations", "pending_stations", "towns")]
    rows += [(c.county, "" if c.planned_towns is None else c.planned_towns, len(c.towns),
              c.shortfall, c.approved, c.pending, "、".join(c.towns))
             for c in coverage.counties]
    rows.append(("total", coverage.target_towns, coverage.towns_covered,
                 max(coverage.target_towns - coverage.towns_covered, 0),
                 sum(c.approved for c in coverage.counties),
                 sum(c.pending for c in coverage.counties), ""))
    return csv_text(rows, lineterminator="\n")
