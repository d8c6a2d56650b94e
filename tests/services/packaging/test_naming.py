"""Naming rights: the threshold, the community's choice, one year, and one name at a time."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import NamingRight, NamingStatus, Station
from marketplace.models.naming import MINIMUM_DONATION_FEN
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.finance.ledger import balance, fund_account, organization_account
from marketplace.services.packaging.naming import (
    apply_for_naming,
    choose_naming,
    expire_naming_rights,
    one_year_after,
)
from tests.factories import at, gen_cast, gen_station
from tests.services.finance.test_ledger import assert_sound

YUAN = 100


def applications(cast, station):
    first = apply_for_naming(station.id, "正泰爱心驿站", MINIMUM_DONATION_FEN,
                             actor=cast.enterprises[0], now=at(0))
    second = apply_for_naming(station.id, "华峰爱心驿站", 150_000 * YUAN,
                              actor=cast.enterprises[1], now=at(1))
    return first, second


def test_a_donation_below_100000_yuan_is_refused_and_changes_nothing(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    for amount in (MINIMUM_DONATION_FEN - 1, 0, 99_999.99 * YUAN):
        with pytest.raises(Invalid):
            apply_for_naming(station.id, "小额冠名", amount, actor=cast.enterprises[0],
                             now=at(0))
    with pytest.raises(Forbidden):
        apply_for_naming(station.id, "社区自己", MINIMUM_DONATION_FEN, actor=cast.community,
                         now=at(0))
    assert db.session.execute(db.select(NamingRight)).first() is None


def test_the_community_chooses_one_and_the_station_carries_that_name(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    first, second = applications(cast, station)
    assert station.display_name == station.name, "an application alone names nothing"
    with pytest.raises(Forbidden):
        choose_naming(second.id, actor=gen_cast().community, now=at(2))
    choose_naming(second.id, actor=cast.community, now=at(2))
    db.session.expire_all()
    station = db.session.get(Station, station.id)
    assert station.display_name == "华峰爱心驿站"
    assert db.session.get(NamingRight, first.id).status is NamingStatus.DECLINED
    chosen = db.session.get(NamingRight, second.id)
    assert chosen.ends_at == datetime(2027, 3, 3, 9, 0) == one_year_after(at(2))
    assert balance(fund_account("fund:source:sponsorship")) == 150_000 * YUAN
    assert balance(organization_account(cast.enterprises[1].organization)) == -150_000 * YUAN
    assert balance(organization_account(cast.enterprises[0].organization)) == 0
    with pytest.raises(Conflict):
        choose_naming(first.id, actor=cast.community, now=at(3))
    assert_sound()


def test_a_second_name_waits_until_the_first_expires(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    choose_naming(applications(cast, station)[0].id, actor=cast.community, now=at(2))
    late = apply_for_naming(station.id, "后来者驿站", MINIMUM_DONATION_FEN,
                            actor=cast.enterprises[1], now=at(30))
    with pytest.raises(Conflict, match="already carries"):
        choose_naming(late.id, actor=cast.community, now=at(31))
    assert expire_naming_rights(at(366)) == 0, "the year is not over yet"
    assert expire_naming_rights(at(367)) == 1
    db.session.expire_all()
    station = db.session.get(Station, station.id)
    assert station.display_name == station.name, "the name ends at expiry"
    choose_naming(late.id, actor=cast.community, now=at(368))
    db.session.expire_all()
    assert db.session.get(Station, station.id).display_name == "后来者驿站"
    assert_sound()


def test_the_database_refuses_a_second_active_name_inserted_directly(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    choose_naming(applications(cast, station)[0].id, actor=cast.community, now=at(2))
    db.session.add(NamingRight(station_id=station.id, sponsor_id=cast.enterprises[1]
                               .organization_id, name="绕过规则", donation_fen=MINIMUM_DONATION_FEN,
                               status=NamingStatus.ACTIVE, active_station_id=station.id,
                               applied_at=at(3), starts_at=at(3), ends_at=at(400)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(NamingRight(station_id=station.id, sponsor_id=cast.enterprises[1]
                               .organization_id, name="没有标记", donation_fen=MINIMUM_DONATION_FEN,
                               status=NamingStatus.ACTIVE, active_station_id=None,
                               applied_at=at(3)))
    with pytest.raises(IntegrityError):
        db.session.commit()  # "active" without the station mark is refused as well
    db.session.rollback()


def test_the_project_page_shows_the_sponsors_name(client) -> None:
    from marketplace.lifecycle import State
    from tests.factories import gen_project

    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    right = apply_for_naming(project.station_id, "正泰爱心驿站", MINIMUM_DONATION_FEN,
                             actor=cast.enterprises[0], now=at(0))
    choose_naming(right.id, actor=cast.community, now=at(1))
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "正泰爱心驿站" in page
