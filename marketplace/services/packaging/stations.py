"""The stations registry: a community registers its station, the administrator decides.

The policy's rules: the premises are on the ground floor (for elderly and disabled visitors),
so any other floor is refused at registration; they are at least 30 m², so a smaller station
is registered but stays pending until the administrator approves it with a written waiver.
Only an approved station's projects pass the lifecycle's ``station_approved`` guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.clock import utcnow
from marketplace.credit_code import problem
from marketplace.extensions import db
from marketplace.models import (
    Account,
    AuditEvent,
    Inspection,
    InspectionPhase,
    InspectionRating,
    Role,
    Station,
    StationStatus,
    Volunteer,
)
from marketplace.models.stations import GROUND_FLOOR, MINIMUM_AREA_M2
from marketplace.models.volunteers import NAME_LENGTH as VOLUNTEER_NAME_LENGTH
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid, NotFound
from marketplace.services.core.unit import Actor, atomic
from marketplace.services.record.audit import record

# 民办非企业单位 codes: registration authority 5 (civil affairs), category 2.
PRIVATE_NON_ENTERPRISE_PREFIX = "52"
MAX_SOCIAL_WORKERS = 1000  # far above any station; keeps a typing slip out of the register
MAX_VOLUNTEERS = 500


@dataclass(frozen=True)
class StationDraft:
    """What the community declares about its station (strings as a form sends them)."""

    name: str
    county: str
    town: str
    address: str
    floor: int | str
    area_m2: Decimal | int | str
    registration_number: str
    director: str
    opening_hours: str
    social_workers: int | str = 1
    volunteers: tuple[str, ...] = ()  # names for the station's volunteer register (义工)


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("Give the %(label)s.", field=field, label=label)
    return value


def _whole(value: int | str, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid("Give a whole number.", field=field) from None


def _area(value: Decimal | int | str) -> Decimal:
    try:
        area = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid("Give the area in square metres.", field="area_m2") from None
    if not area.is_finite() or area <= 0 or area >= Decimal("1000000"):
        raise Invalid("Give the area in square metres.", field="area_m2")
    return area.quantize(Decimal("0.01"))


def _registration(value: str) -> str:
    code = (value or "").strip().upper()
    if not code:
        raise Invalid("Give the station's registration number as a private non-enterprise "
                      "unit (民办非企业单位).", field="registration_number", clause="registration")
    wrong = problem(code)
    if wrong:
        raise Invalid(wrong, field="registration_number")
    if not code.startswith(PRIVATE_NON_ENTERPRISE_PREFIX):
        raise Invalid("A private non-enterprise unit's code starts with 52 (civil affairs, "
                      "民办非企业单位).", field="registration_number", clause="registration")
    return code


def _volunteers(names: tuple[str, ...]) -> list[str]:
    """The volunteers' names, blanks dropped; each must fit the register."""
    kept = [name.strip() for name in names if name.strip()]
    if len(kept) > MAX_VOLUNTEERS:
        raise Invalid("At most %(n)s volunteers at registration.", field="volunteers",
                      n=MAX_VOLUNTEERS)
    for name in kept:
        if len(name) > VOLUNTEER_NAME_LENGTH:
            raise Invalid("A volunteer's name has at most %(n)s characters: %(name)s",
                          field="volunteers", n=VOLUNTEER_NAME_LENGTH, name=name[:20] + "…")
    return kept


def _station_event(station: Station, actor: Actor, trigger: str, *, now: datetime,
                   reason: str | None = None, details: dict[str, Any] | None = None) -> None:
    """A station's decisions are audit events without a project, found by ``station_id``."""
    db.session.flush()  # a new station needs its id
    record(None, actor, trigger, now=now, to_state=station.status.value, reason=reason,
           details=details, station_id=station.id)


def register_station(draft: StationDraft, *, actor: Account,
                     now: datetime | None = None) -> Station:
    """A new station, pending the administrator's approval; a floor other than the first is
    refused outright. The volunteers named join the station's register with it."""
    now = now or utcnow()
    require(actor, Role.COMMUNITY)
    floor = _whole(draft.floor, "floor")
    if floor != GROUND_FLOOR:
        raise Invalid("A Love Station must be on the ground floor, so that elderly and disabled "
                      "visitors can reach it; floor %(floor)s is not allowed.", field="floor",
                      clause="ground-floor", floor=floor)
    social_workers = _whole(draft.social_workers, "social_workers")
    if social_workers < 1:
        raise Invalid("A station has at least one social-worker post.", field="social_workers",
                      clause="social-workers")
    if social_workers > MAX_SOCIAL_WORKERS:
        raise Invalid("At most %(n)s social-worker posts.", field="social_workers",
                      n=MAX_SOCIAL_WORKERS)
    volunteers = _volunteers(draft.volunteers)
    station = Station(
        name=_text(draft.name, "name", "station's name"),
        county=_text(draft.county, "county", "county or district"),
        town=_text(draft.town, "town", "town or street"),
        address=_text(draft.address, "address", "address"),
        floor=floor, area_m2=_area(draft.area_m2),
        registration_number=_registration(draft.registration_number),
        director=_text(draft.director, "director", "director's name"),
        opening_hours=_text(draft.opening_hours, "opening_hours", "opening hours"),
        social_workers=social_workers,
        community_id=actor.organization_id, status=StationStatus.PENDING, created_at=now,
    )
    with atomic():
        db.session.add(station)
        db.session.add_all(Volunteer(station=station, name=name, created_at=now)
                           for name in volunteers)
        _station_event(station, actor, "register_station", now=now,
                       details={"area_m2": str(station.area_m2),
                                "needs_waiver": station.needs_waiver})
    return station


def _lock_station(station_id: int) -> Station:
    station = db.session.execute(
        db.select(Station).where(Station.id == station_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    if station.status is not StationStatus.PENDING:
        raise Conflict("The station has already been %(status)s.", status=station.status.value,
                       rule="decided_once")
    return station


def last_site_inspection(station: Station) -> Inspection | None:
    return db.session.execute(
        db.select(Inspection)
        .where(Inspection.station_id == station.id, Inspection.phase == InspectionPhase.SITE)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()).limit(1)
    ).scalar_one_or_none()


def approve_station(station_id: int, *, actor: Account, now: datetime | None = None,
                    waiver_reason: str | None = None) -> Station:
    """Open the station; under 30 m² only with the administrator's reason for the waiver."""
    now = now or utcnow()
    require(actor, Role.ADMIN)
    waiver = (waiver_reason or "").strip() or None
    with atomic():
        station = _lock_station(station_id)
        if station.needs_waiver and waiver is None:
            raise Invalid("The premises are %(area)s m², under the %(minimum)s m² the policy "
                          "asks for: approving them needs a waiver with a reason.",
                          field="waiver_reason", clause="station-area", area=station.area_m2,
                          minimum=MINIMUM_AREA_M2)
        site = last_site_inspection(station)
        if site is not None and site.rating is InspectionRating.FAIL:
            raise Conflict("The last site inspection failed; record a new one after the "
                           "follow-up before approving.", clause="inspections",
                           rule="inspection_passed")
        station.status = StationStatus.APPROVED
        station.decided_at, station.decided_by = now, actor
        station.waiver_reason = waiver if station.needs_waiver else None
        _station_event(station, actor, "approve_station", now=now, reason=station.waiver_reason,
                       details={"area_m2": str(station.area_m2),
                                "waiver": station.waiver_reason is not None})
    return station


def reject_station(station_id: int, *, actor: Account, reason: str,
                   now: datetime | None = None) -> Station:
    """Refuse the station, saying why (the community sees the reason)."""
    now = now or utcnow()
    require(actor, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason.", field="reason")
    with atomic():
        station = _lock_station(station_id)
        station.status = StationStatus.REJECTED
        station.decided_at, station.decided_by = now, actor
        station.rejection_reason = reason
        _station_event(station, actor, "reject_station", now=now, reason=reason)
    return station


def station_trail(station_id: int) -> list[AuditEvent]:
    """Who decided what about the station, and when, oldest first."""
    return list(db.session.execute(
        db.select(AuditEvent).where(AuditEvent.station_id == station_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).scalars())


def stations(status: StationStatus | None = None) -> list[Station]:
    query = db.select(Station).order_by(Station.county, Station.town, Station.id)
    if status is not None:
        query = query.where(Station.status == status)
    return list(db.session.execute(query).scalars())
