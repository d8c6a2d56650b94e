"""The stations registry: the policy's premises rules and the administrator's decisions."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import Station, StationStatus
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.moves import move
from marketplace.services.implementation.volunteers import minutes_by_volunteer
from marketplace.services.packaging.stations import (
    StationDraft,
    approve_station,
    register_station,
    reject_station,
    station_trail,
    stations,
)
from tests.factories import at, gen_cast, gen_project

REGISTRATION = "52330302MJ8936225D"  # a valid 民办非企业单位 code


def draft(**overrides) -> StationDraft:
    return replace(StationDraft(
        name="松台社区爱心驿站", county="鹿城区", town="松台街道", address="广场路 12 号",
        floor=1, area_m2="42.5", registration_number=REGISTRATION, director="陈主任",
        opening_hours="周一至周六 8:30–17:00", social_workers=2,
    ), **overrides)


def station_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Station)).scalar_one()


@pytest.fixture
def cast(app):
    return gen_cast()


def test_a_registered_station_waits_for_the_administrator(cast) -> None:
    station = register_station(draft(), actor=cast.community, now=at(0))
    assert station.status is StationStatus.PENDING
    assert station.area_m2 == Decimal("42.50") and station.director == "陈主任"
    assert station.community_id == cast.community.organization_id
    assert [e.trigger for e in station_trail(station.id)] == ["register_station"]
    assert stations(StationStatus.PENDING) == [station]


@pytest.mark.parametrize("floor", [2, 0, -1, "3"])
def test_premises_off_the_ground_floor_are_refused(cast, floor) -> None:
    with pytest.raises(Invalid) as info:
        register_station(draft(floor=floor), actor=cast.community, now=at(0))
    assert info.value.field == "floor" and "ground floor" in info.value.message
    assert station_count() == 0


@pytest.mark.parametrize(("field", "value"), [
    ("registration_number", ""),
    ("registration_number", "52330302MJ8936225X"),  # wrong check character
    ("registration_number", "91330300MA2861X9X5"),  # a company's code, not 民办非企业单位
    ("area_m2", "abc"), ("area_m2", "-5"), ("area_m2", "NaN"),
    ("director", "  "), ("opening_hours", ""), ("social_workers", 0), ("floor", "first"),
])
def test_bad_registrations_name_the_field_and_create_nothing(cast, field, value) -> None:
    with pytest.raises(Invalid) as info:
        register_station(draft(**{field: value}), actor=cast.community, now=at(0))
    assert info.value.field == field
    assert station_count() == 0


def test_only_a_community_registers_and_only_an_administrator_decides(cast) -> None:
    with pytest.raises(Forbidden):
        register_station(draft(), actor=cast.enterprises[0], now=at(0))
    station = register_station(draft(), actor=cast.community, now=at(0))
    with pytest.raises(Forbidden):
        approve_station(station.id, actor=cast.community, now=at(1))
    assert db.session.get(Station, station.id).status is StationStatus.PENDING


def test_29_square_metres_stay_pending_until_a_waiver_with_a_reason(cast) -> None:
    station = register_station(draft(area_m2=29), actor=cast.community, now=at(0))
    assert station.needs_waiver
    for no_reason in (None, "", "   "):
        with pytest.raises(Invalid) as info:
            approve_station(station.id, actor=cast.admin, now=at(1), waiver_reason=no_reason)
        assert info.value.field == "waiver_reason" and "30" in info.value.message
        db.session.expire_all()
        assert db.session.get(Station, station.id).status is StationStatus.PENDING

    approve_station(station.id, actor=cast.admin, now=at(2),
                    waiver_reason="老城区无更大的一楼用房，另有社区活动室共用。")
    db.session.expire_all()
    station = db.session.get(Station, station.id)
    assert station.is_approved and station.decided_by_id == cast.admin.id
    assert station.waiver_reason.startswith("老城区")
    approval = station_trail(station.id)[-1]
    assert (approval.trigger, approval.actor_account_id) == ("approve_station", cast.admin.id)
    assert approval.at == at(2) and approval.details["waiver"] is True


def test_30_square_metres_need_no_waiver(cast) -> None:
    station = register_station(draft(area_m2="30"), actor=cast.community, now=at(0))
    approve_station(station.id, actor=cast.admin, now=at(1), waiver_reason="not needed")
    assert station.is_approved and station.waiver_reason is None


def test_a_rejection_needs_a_reason_and_is_final(cast) -> None:
    station = register_station(draft(), actor=cast.community, now=at(0))
    with pytest.raises(Invalid):
        reject_station(station.id, actor=cast.admin, reason=" ", now=at(1))
    reject_station(station.id, actor=cast.admin, reason="用房为租赁商铺，非社区无偿提供。",
                   now=at(1))
    assert station.status is StationStatus.REJECTED
    with pytest.raises(Conflict):
        approve_station(station.id, actor=cast.admin, now=at(2))
    assert [e.trigger for e in station_trail(station.id)] == ["register_station",
                                                              "reject_station"]


def test_only_an_approved_stations_community_can_submit_projects(cast) -> None:
    station = register_station(draft(), actor=cast.community, now=at(0))
    project = gen_project(cast, station=station)
    with pytest.raises(MoveRefused) as info:
        move(project.id, "submit", actor=cast.community, now=at(0.1))
    assert info.value.guard == "station_approved"
    approve_station(station.id, actor=cast.admin, now=at(0.2))
    submitted = move(project.id, "submit", actor=cast.community, now=at(0.3))
    assert submitted.review == "submitted" and submitted.state is State.PACKAGING


def test_the_volunteers_named_at_registration_join_the_register(cast) -> None:
    station = register_station(draft(volunteers=("王芳", "  ", " 李强 ")), actor=cast.community,
                               now=at(0))
    assert sorted(v.name for v in minutes_by_volunteer(station.id)) == ["李强", "王芳"]


@pytest.mark.parametrize(("field", "value"), [
    ("volunteers", ("王" * 101,)), ("volunteers", tuple(f"义工{n}" for n in range(501))),
    ("social_workers", 1001),
])
def test_oversized_registrations_are_refused(cast, field, value) -> None:
    with pytest.raises(Invalid) as info:
        register_station(draft(**{field: value}), actor=cast.community, now=at(0))
    assert info.value.field == field and station_count() == 0
