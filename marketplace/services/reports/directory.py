"""The public directory of stations: the approved ones by county, each with its sponsor's name
and term, its public projects and its volunteers.

Only what a visitor may see: stations the administrator approved (a pending or rejected one
has no public page either) and projects past packaging (``visibility.PUBLIC_STATES``). A fixed
number of statements whatever the number of stations: the names with the stations, then the
projects and the volunteer counts of them all at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func

from marketplace.extensions import db
from marketplace.models import NamingRight, Project, Station, StationStatus, Volunteer
from marketplace.services.core.visibility import PUBLIC_STATES
from marketplace.services.packaging.stations import stations


@dataclass(frozen=True)
class Listed:
    """One station as the directory shows it."""

    station: Station
    projects: list[Project]
    volunteers: int

    @property
    def naming(self) -> NamingRight | None:
        return self.station.active_naming


def directory() -> dict[str, list[Listed]]:
    """County → its approved stations (by town, then id), counties in order."""
    approved = stations(StationStatus.APPROVED)  # the register's one query, names with it
    ids = [s.id for s in approved]
    projects: dict[int, list[Project]] = defaultdict(list)
    volunteers: dict[int, int] = {}
    if ids:
        for project in db.session.execute(
                db.select(Project).where(Project.station_id.in_(ids),
                                         Project.state.in_(PUBLIC_STATES))
                .order_by(Project.created_at.desc(), Project.id.desc())).scalars():
            projects[project.station_id].append(project)
        volunteers = dict(db.session.execute(
            db.select(Volunteer.station_id, func.count(Volunteer.id))
            .where(Volunteer.station_id.in_(ids)).group_by(Volunteer.station_id)).all())
    by_county: dict[str, list[Listed]] = defaultdict(list)
    for station in approved:
        by_county[station.county].append(
            Listed(station, projects[station.id], volunteers.get(station.id, 0)))
    return dict(by_county)
