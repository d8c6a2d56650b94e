"""Volunteer service hours, totalled per volunteer and per project."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import VolunteerHours
from marketplace.services.core.errors import Forbidden, Invalid
from marketplace.services.implementation.volunteers import (
    add_volunteer,
    minutes_by_project,
    minutes_by_volunteer,
    project_minutes,
    record_hours,
)
from tests.factories import at, gen_account, gen_cast, gen_project, gen_station


@pytest.fixture
def cast(app):
    return gen_cast()


def test_hours_add_up_per_volunteer_and_per_project(cast) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)
    station_id, now = project.station_id, at(50)
    li = add_volunteer(station_id, actor=cast.community, name="李阿姨", phone="13800000000")
    wang = add_volunteer(station_id, actor=cast.community, name="王同学")
    idle = add_volunteer(station_id, actor=cast.community, name="赵师傅")
    record_hours(li.id, actor=cast.community, served_on=date(2026, 4, 1), minutes=150,
                 project_id=project.id, now=now)
    record_hours(li.id, actor=cast.community, served_on=date(2026, 4, 2), minutes=90, now=now)
    record_hours(wang.id, actor=cast.community, served_on=date(2026, 4, 2), minutes=45,
                 project_id=project.id, now=now)

    assert minutes_by_volunteer(station_id) == {li: 240, wang: 45, idle: 0}
    assert minutes_by_project(project.id) == {li: 150, wang: 45}
    assert project_minutes(project.id) == 195


def test_bad_hours_are_refused(cast) -> None:
    project = gen_project(cast)
    other_station = gen_station(gen_account(cast.community.role))
    other_project = gen_project(cast, station=gen_station(cast.community, name="另一驿站"))
    volunteer = add_volunteer(project.station_id, actor=cast.community, name="李阿姨")
    bad = [
        ({"minutes": 0}, "minutes"), ({"minutes": 25 * 60}, "minutes"),
        ({"minutes": "60"}, "minutes"), ({"served_on": date(2026, 12, 1)}, "served_on"),
        ({"project_id": other_project.id}, "project_id"),
    ]
    for change, field in bad:
        values = {"served_on": date(2026, 3, 1), "minutes": 60, **change}
        with pytest.raises(Invalid) as info:
            record_hours(volunteer.id, actor=cast.community, now=at(1), **values)
        assert info.value.field == field
    with pytest.raises(Invalid):
        add_volunteer(project.station_id, actor=cast.community, name=" ")
    with pytest.raises(Forbidden):
        add_volunteer(other_station.id, actor=cast.community, name="外人")
    with pytest.raises(Forbidden):
        record_hours(volunteer.id, actor=cast.admin, served_on=date(2026, 3, 1), minutes=60,
                     now=at(1))
    assert db.session.execute(db.select(VolunteerHours)).first() is None
