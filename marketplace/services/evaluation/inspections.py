"""Inspections in the policy's three phases, each only at the moment it is meant for.

- site (选点考察): the premises of a station still pending, before the administrator opens it
  (a failing site inspection holds the approval back until a later one passes);
- midterm (中期评估): a project in implementation;
- effect (效果评估): a project that has been delivered, i.e. in evaluation, completed or
  terminated after its evaluation.
The administrator runs inspections and may send an evaluator; both may record them.
"""

from __future__ import annotations

from datetime import date, datetime

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    Inspection,
    InspectionPhase,
    InspectionRating,
    Role,
    Station,
    StationStatus,
)
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid, NotFound
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.record.audit import record

PROJECT_STATES: dict[InspectionPhase, frozenset[State]] = {
    InspectionPhase.MIDTERM: frozenset({State.IMPLEMENTATION}),
    InspectionPhase.EFFECT: frozenset({State.EVALUATION, State.COMPLETED, State.TERMINATED}),
}


def _choice(enum_cls: type, value: object, field: str) -> object:
    try:
        return enum_cls(value)
    except ValueError:
        raise Invalid("Choose one of: %(choices)s.", field=field,
                      choices=", ".join(member.value for member in enum_cls)) from None


def _pending_station(station_id: int | None) -> Station:
    if station_id is None:
        raise Invalid("Choose the station to inspect.", field="station_id")
    station = db.session.execute(
        db.select(Station).where(Station.id == station_id).with_for_update()
    ).scalar_one_or_none()
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    if station.status is not StationStatus.PENDING:
        raise Conflict("A site inspection is made before the station opens; this station "
                       "has already been %(status)s.", status=station.status.value,
                       rule="station_pending")
    return station


def record_inspection(phase: InspectionPhase | str, *, actor: Account, inspected_on: date,
                      findings: str, rating: InspectionRating | str, follow_up: str = "",
                      station_id: int | None = None, project_id: int | None = None,
                      now: datetime | None = None) -> Inspection:
    """Record one inspection; refused when the phase does not fit the station or project."""
    now = now or utcnow()
    require(actor, Role.ADMIN, Role.EVALUATOR)
    phase = _choice(InspectionPhase, phase, "phase")
    rating = _choice(InspectionRating, rating, "rating")
    findings, follow_up = (findings or "").strip(), (follow_up or "").strip()
    if not findings:
        raise Invalid("Write down what the inspection found.", field="findings")
    if rating is InspectionRating.FAIL and not follow_up:
        raise Invalid("A failing inspection needs the follow-up actions.", field="follow_up")
    if not isinstance(inspected_on, date) or inspected_on > now.date():
        raise Invalid("An inspection is recorded after it took place.", field="inspected_on")
    with atomic():
        project = None
        if phase is InspectionPhase.SITE:
            if project_id is not None:
                raise Invalid("A site inspection is of a station, not a project.",
                              field="project_id")
            station = _pending_station(station_id)
        else:
            if project_id is None:
                raise Invalid("Choose the project to inspect.", field="project_id")
            project = lock_project(project_id)
            if project.state not in PROJECT_STATES[phase]:
                raise Conflict("A %(phase)s inspection is for a project in %(states)s; this "
                               "one is in %(state)s.", phase=phase.value,
                               states=", ".join(sorted(PROJECT_STATES[phase])),
                               state=project.state.value, rule="inspection_phase_state")
            station = project.station
        inspection = Inspection(phase=phase, station=station, project=project,
                                inspected_on=inspected_on, inspector=actor, findings=findings,
                                rating=rating, follow_up=follow_up, recorded_at=now)
        db.session.add(inspection)
        db.session.flush()
        state = project.state.value if project else None
        record(project, actor, "inspect", now=now, from_state=state, to_state=state,
               details={"inspection_id": inspection.id, "phase": phase.value,
                        "rating": rating.value}, station_id=station.id)
    return inspection


def inspections_of_station(station_id: int) -> list[Inspection]:
    """The station's site inspections and those of its projects, in the order they were made."""
    return list(db.session.execute(
        db.select(Inspection).where(Inspection.station_id == station_id)
        .order_by(Inspection.inspected_on, Inspection.id)
    ).scalars())


def inspections_of_project(project_id: int) -> list[Inspection]:
    return list(db.session.execute(
        db.select(Inspection).where(Inspection.project_id == project_id)
        .order_by(Inspection.inspected_on, Inspection.id)
    ).scalars())
