"""Naming rights (冠名): sponsors apply with a directed donation, the community picks one.

The policy's rules: a directed donation of at least 100,000 yuan buys one year of a station's
name; a station never carries two names at once, and among competing applications the
community chooses. Choosing posts the donation from the sponsor to the fund's sponsorship
source, declines the other waiting applications, and lets the station show the name until
``expire_naming_rights`` ends it. The one-name rule is also a database constraint
(``NamingRight.active_station_id`` is unique), so a race or a stray insert cannot break it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import Account, NamingRight, NamingStatus, Role, Station, StationStatus
from marketplace.models.naming import MINIMUM_DONATION_FEN
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.finance.ledger import Cause, fund_account, organization_account, post
from marketplace.services.record.audit import record

SPONSORSHIP = "fund:source:sponsorship"


def one_year_after(moment: datetime) -> datetime:
    """The same day next year; 29 February runs to 1 March."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, month=3, day=1)


def _lock_station(station_id: int) -> Station:
    station = db.session.execute(
        db.select(Station).where(Station.id == station_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    return station


def apply_for_naming(station_id: int, name: str, donation_fen: int, *, actor: Account,
                     now: datetime) -> NamingRight:
    """An enterprise offers a directed donation for the station's name; nothing is paid yet."""
    require(actor, Role.ENTERPRISE)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("Give the name the station would carry (at most 200 characters).",
                      field="name")
    if not isinstance(donation_fen, int) or isinstance(donation_fen, bool) \
            or donation_fen < MINIMUM_DONATION_FEN:
        raise Invalid("Naming a station takes a directed donation of at least %(min)s fen.",
                      field="donation", clause="naming-donation", min=MINIMUM_DONATION_FEN)
    with atomic():
        station = db.session.get(Station, station_id)
        if station is None:
            raise NotFound("No station %(id)s.", id=station_id)
        if station.status is not StationStatus.APPROVED:
            raise Conflict("Only an approved station can be named.", rule="station_approved")
        right = NamingRight(station=station, sponsor_id=actor.organization_id, name=name,
                            donation_fen=donation_fen, status=NamingStatus.APPLIED,
                            applied_at=now)
        db.session.add(right)
        db.session.flush()
        record(None, actor, "apply_for_naming", now=now, station_id=station.id,
               details={"naming_right_id": right.id, "donation_fen": donation_fen})
    return right


def choose_naming(right_id: int, *, actor: Account, now: datetime) -> NamingRight:
    """The station's community picks this application: it is named for one year from now."""
    require(actor, Role.COMMUNITY)
    with atomic():
        right = db.session.get(NamingRight, right_id)
        if right is None:
            raise NotFound("No naming application %(id)s.", id=right_id)
        station = _lock_station(right.station_id)
        if station.community_id != actor.organization_id:
            raise Forbidden("Only the station's own community may do this.")
        if right.status is not NamingStatus.APPLIED:
            raise Conflict("This application has already been decided.", rule="decided_once")
        if active_naming(station) is not None:
            raise Conflict("The station already carries a name until it expires.",
                           clause="one-name", rule="one_name")
        right.status = NamingStatus.ACTIVE
        right.active_station_id = station.id
        right.decided_at = right.starts_at = now
        right.ends_at = one_year_after(now)
        others = db.session.execute(db.select(NamingRight).where(
            NamingRight.station_id == station.id, NamingRight.status == NamingStatus.APPLIED,
            NamingRight.id != right.id)).scalars()
        for other in others:
            other.status, other.decided_at = NamingStatus.DECLINED, now
        db.session.flush()
        post(f"Directed donation naming {station.name} “{right.name}”",
             [(organization_account(right.sponsor), -right.donation_fen),
              (fund_account(SPONSORSHIP), right.donation_fen)],
             Cause("naming_right"), now=now)
        record(None, actor, "choose_naming", now=now, station_id=station.id,
               details={"naming_right_id": right.id, "ends_at": right.ends_at.isoformat()})
    return right


def active_naming(station: Station) -> NamingRight | None:
    return db.session.execute(db.select(NamingRight).where(
        NamingRight.active_station_id == station.id)).scalar_one_or_none()


def expire_naming_rights(now: datetime) -> int:
    """End every name whose year is over; the scheduler calls this. Returns how many ended."""
    with atomic():
        due = db.session.execute(db.select(NamingRight).where(
            NamingRight.status == NamingStatus.ACTIVE, NamingRight.ends_at <= now)
            .with_for_update()).scalars().all()
        for right in due:
            right.status, right.active_station_id = NamingStatus.EXPIRED, None
            record(None, "scheduler", "expire_naming", now=now, station_id=right.station_id,
                   details={"naming_right_id": right.id})
    return len(due)


def applications_for_community(community_id: int) -> list[NamingRight]:
    """Every application for the community's stations, by station, oldest first: the
    competing applications it chooses among."""
    return list(db.session.execute(
        db.select(NamingRight).join(Station, Station.id == NamingRight.station_id)
        .where(Station.community_id == community_id)
        .options(selectinload(NamingRight.station), selectinload(NamingRight.sponsor))
        .order_by(NamingRight.station_id, NamingRight.applied_at, NamingRight.id)).scalars())


def applications_by_sponsor(sponsor_id: int) -> list[NamingRight]:
    return list(db.session.execute(
        db.select(NamingRight).where(NamingRight.sponsor_id == sponsor_id)
        .options(selectinload(NamingRight.station))
        .order_by(NamingRight.applied_at.desc(), NamingRight.id.desc())).scalars())


def nameable_stations() -> list[Station]:
    """Approved stations a sponsor may apply for."""
    return list(db.session.execute(
        db.select(Station).where(Station.status == StationStatus.APPROVED)
        .order_by(Station.county, Station.name, Station.id)).scalars())
