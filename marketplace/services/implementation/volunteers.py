"""Volunteers (义工) of a station and their service hours, totalled per volunteer and project.

Social workers guide the volunteers, so the station's own community keeps the register.
Hours are stored as whole minutes: totals are exact and shown as hours only on display.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models import Account, Project, Role, Station, Volunteer, VolunteerHours
from marketplace.services.core.access import require
from marketplace.services.core.errors import Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic

MAX_MINUTES_A_DAY = 24 * 60


def _own_station(actor: Account, station_id: int) -> Station:
    require(actor, Role.COMMUNITY)
    station = db.session.get(Station, station_id)
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    if station.community_id != actor.organization_id:
        raise Forbidden("Only the station's own community keeps its volunteer register.")
    return station


def add_volunteer(station_id: int, *, actor: Account, name: str, phone: str | None = None,
                  now: datetime | None = None) -> Volunteer:
    station = _own_station(actor, station_id)
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the volunteer's name.", field="name")
    with atomic():
        volunteer = Volunteer(station=station, name=name, phone=(phone or "").strip() or None,
                              created_at=now or utcnow())
        db.session.add(volunteer)
    return volunteer


def record_hours(volunteer_id: int, *, actor: Account, served_on: date, minutes: int,
                 project_id: int | None = None, note: str = "",
                 now: datetime | None = None) -> VolunteerHours:
    """One day's service; a project, if named, must be one of the volunteer's station."""
    now = now or utcnow()
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("No volunteer %(id)s.", id=volunteer_id)
    _own_station(actor, volunteer.station_id)
    whole = isinstance(minutes, int) and not isinstance(minutes, bool)
    if not whole or not 0 < minutes <= MAX_MINUTES_A_DAY:
        raise Invalid("Give the minutes served, more than 0 and at most a day.", field="minutes")
    if not isinstance(served_on, date) or served_on > now.date():
        raise Invalid("Hours are recorded after they are served.", field="served_on")
    project = None
    if project_id is not None:
        project = db.session.get(Project, project_id)
        if project is None or project.station_id != volunteer.station_id:
            raise Invalid("Choose a project of this station.", field="project_id")
    with atomic():
        stint = VolunteerHours(volunteer=volunteer, project=project, served_on=served_on,
                               minutes=minutes, note=note.strip(), recorded_by_id=actor.id,
                               recorded_at=now)
        db.session.add(stint)
    return stint


def minutes_by_volunteer(station_id: int, until: datetime | None = None
                         ) -> dict[Volunteer, int]:
    """Every volunteer of the station with the minutes they served (0 for none yet);
    ``until``: those who had joined by then, with the hours recorded by then."""
    hours = VolunteerHours.volunteer_id == Volunteer.id
    joined = Volunteer.station_id == station_id
    if until is not None:
        hours = and_(hours, VolunteerHours.recorded_at <= until)
        joined = and_(joined, Volunteer.created_at <= until)
    rows = db.session.execute(
        db.select(Volunteer, db.func.coalesce(db.func.sum(VolunteerHours.minutes), 0))
        .outerjoin(VolunteerHours, hours)
        .where(joined)
        .group_by(Volunteer.id).order_by(Volunteer.name, Volunteer.id)
    ).all()
    return {volunteer: int(total) for volunteer, total in rows}


def minutes_by_project(project_id: int) -> dict[Volunteer, int]:
    """The volunteers who served on the project, with their minutes on it."""
    rows = db.session.execute(
        db.select(Volunteer, db.func.sum(VolunteerHours.minutes))
        .join(VolunteerHours, VolunteerHours.volunteer_id == Volunteer.id)
        .where(VolunteerHours.project_id == project_id)
        .group_by(Volunteer.id).order_by(Volunteer.name, Volunteer.id)
    ).all()
    return {volunteer: int(total) for volunteer, total in rows}


def project_minutes(project_id: int) -> int:
    """All volunteers' minutes on the project."""
    return sum(minutes_by_project(project_id).values())
