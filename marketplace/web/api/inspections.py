"""A station's inspections (site, mid-term, effect): the administrator's to read and record.

The phase rules (a site inspection only before the station opens, the others of one of its
projects in the state the phase is for) are ``services/evaluation/inspections.py``'s; a
refusal of one is a 409 naming it.
"""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from marketplace.extensions import db
from marketplace.models import Account, Role, Station
from marketplace.services.core.access import require
from marketplace.services.core.errors import NotFound
from marketplace.services.evaluation.inspections import inspections_of_station, record_inspection
from marketplace.web.api import MAX_ID, bp, serialize
from marketplace.web.api.common import body, day, integer, now, signed_in, text


def _admin() -> Account:
    account = signed_in()
    require(account, Role.ADMIN)
    return account


def _station(station_id: int) -> Station:
    station = db.session.get(Station, station_id)
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    return station


@bp.get("/stations/<int:station_id>/inspections")
def station_inspections(station_id: int) -> ResponseReturnValue:
    """The station's site inspections and those of its projects, oldest first."""
    _admin()
    station = _station(station_id)
    return {"station": {"id": station.id, "name": station.name,
                        "status": station.status.value},
            "inspections": [serialize.inspection(row)
                            for row in inspections_of_station(station.id)]}


@bp.post("/stations/<int:station_id>/inspections")
def record_station_inspection(station_id: int) -> ResponseReturnValue:
    account = _admin()
    station = _station(station_id)
    data = body()
    inspection = record_inspection(
        text(data, "phase", max_length=20), actor=account,
        inspected_on=day(text(data, "inspected_on", max_length=10), "inspected_on"),
        findings=text(data, "findings", max_length=10_000),
        rating=text(data, "rating", max_length=20),
        follow_up=text(data, "follow_up", "", max_length=10_000),
        station_id=station.id, project_id=integer(data, "project_id", None, maximum=MAX_ID),
        now=now())
    return serialize.inspection(inspection), 201
