"""Public pages: anyone may see the published projects and where each one stands, and each
station with its projects, inspections and volunteers' hours."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project, Station
from marketplace.services.inspections import inspections_of_station
from marketplace.services.public_record import public_trail
from marketplace.services.stations import station_trail
from marketplace.services.volunteers import minutes_by_volunteer

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    projects = db.session.execute(
        db.select(Project)
        .options(selectinload(Project.station).selectinload(Station.community))
        .order_by(Project.created_at.desc(), Project.id.desc())
    ).scalars().all()
    return render_template("public/index.html", projects=projects, states=list(State))


@bp.get("/stations/<int:station_id>")
def station(station_id: int) -> str:
    station = db.session.get(Station, station_id)
    if station is None:
        abort(404)
    projects = db.session.execute(
        db.select(Project).where(Project.station_id == station.id)
        .order_by(Project.created_at.desc(), Project.id.desc())).scalars().all()
    minutes = minutes_by_volunteer(station.id)
    return render_template("public/station.html", station=station, projects=projects,
                           inspections=inspections_of_station(station.id),
                           volunteers=len(minutes), minutes=sum(minutes.values()),
                           record=public_trail(station_trail(station.id)))
