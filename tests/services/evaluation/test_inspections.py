"""Inspections in three phases, each refused when it does not fit the station or project."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Inspection, InspectionPhase, StationStatus
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.evaluation.inspections import (
    inspections_of_project,
    inspections_of_station,
    record_inspection,
)
from marketplace.services.packaging.stations import approve_station
from tests.factories import at, gen_cast, gen_project, gen_station


@pytest.fixture
def cast(app):
    return gen_cast()


def inspect(phase, actor, *, when, **kwargs) -> Inspection:
    values = dict(inspected_on=when.date(), findings="现场查看服务台账与场地。", rating="good",
                  now=when)
    values.update(kwargs)
    return record_inspection(phase, actor=actor, **values)


def inspection_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Inspection)).scalar_one()


def test_a_failed_site_inspection_holds_the_approval_until_one_passes(cast) -> None:
    station = gen_station(cast.community, status=StationStatus.PENDING)
    inspect("site", cast.admin, station_id=station.id, rating="fail", when=at(1),
            findings="入口有三级台阶，轮椅无法进入。", follow_up="加装无障碍坡道后复查。")
    with pytest.raises(Conflict) as info:
        approve_station(station.id, actor=cast.admin, now=at(2))
    assert "site inspection failed" in info.value.message
    inspect("site", cast.admin, station_id=station.id, rating="pass", when=at(10),
            findings="坡道已建成。")
    approve_station(station.id, actor=cast.admin, now=at(11))
    assert station.is_approved
    with pytest.raises(Conflict):  # the site is inspected before the station opens
        inspect("site", cast.admin, station_id=station.id, when=at(12))
    assert [i.rating.value for i in inspections_of_station(station.id)] == ["fail", "pass"]
    event = db.session.execute(db.select(AuditEvent).filter_by(
        station_id=station.id, trigger="inspect")).scalars().first()
    assert event.details["phase"] == "site" and event.project_id is None


def test_midterm_is_for_a_project_in_implementation(cast) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)
    record = inspect("midterm", cast.evaluators[0], project_id=project.id, when=at(45),
                     rating="excellent", follow_up="")
    assert record.station_id == project.station_id
    assert inspections_of_project(project.id) == [record]
    assert inspections_of_station(project.station_id) == [record]
    with pytest.raises(Conflict) as info:
        inspect("effect", cast.admin, project_id=project.id, when=at(45))
    assert "implementation" in info.value.message
    assert inspection_count() == 1


@pytest.mark.parametrize("state", [State.EVALUATION, State.COMPLETED, State.TERMINATED])
def test_effect_is_for_a_delivered_project(cast, state) -> None:
    project = gen_project(cast, state)
    inspect("effect", cast.admin, project_id=project.id, when=at(120))
    with pytest.raises(Conflict):
        inspect("midterm", cast.admin, project_id=project.id, when=at(120))
    assert [i.phase for i in inspections_of_project(project.id)] == [InspectionPhase.EFFECT]


@pytest.mark.parametrize(("field", "change"), [
    ("phase", {"phase": "halfway"}),
    ("rating", {"rating": "superb"}),
    ("findings", {"findings": "  "}),
    ("follow_up", {"rating": "fail", "follow_up": ""}),
    ("inspected_on", {"inspected_on": date(2030, 1, 1)}),
    ("project_id", {"project_id": None}),
])
def test_incomplete_records_are_refused(cast, field, change) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)
    values = {"phase": "midterm", "project_id": project.id, **change}
    with pytest.raises(Invalid) as info:
        inspect(values.pop("phase"), cast.admin, when=at(45), **values)
    assert info.value.field == field
    assert inspection_count() == 0


def test_communities_do_not_inspect_themselves(cast) -> None:
    station = gen_station(cast.community, status=StationStatus.PENDING)
    with pytest.raises(Forbidden):
        inspect("site", cast.community, station_id=station.id, when=at(1))
    assert inspection_count() == 0
