"""Naming rights (冠名): a sponsor's directed donation buys one year of a station's name.

The policy: at least 100,000 yuan, one year, and never two names on one station at once. The
last rule is kept by the database too: ``active_station_id`` is the station's id while the name
is active and NULL otherwise, and it is unique, so a second active name for the same station
is refused by any insert, whatever code made it (NULLs never collide, on SQLite or PostgreSQL).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization, enum_column
from marketplace.models.stations import Station

MINIMUM_DONATION_FEN = 100_000 * 100  # 100,000 yuan


class NamingStatus(enum.StrEnum):
    APPLIED = "applied"  # waiting for the community's choice
    ACTIVE = "active"  # chosen: the station carries the name until ``ends_at``
    DECLINED = "declined"  # the community chose another application, or said no
    EXPIRED = "expired"  # the year is over


class NamingRight(db.Model):
    __tablename__ = "naming_rights"
    __table_args__ = (
        CheckConstraint(f"donation_fen >= {MINIMUM_DONATION_FEN}", name="donation_minimum"),
        CheckConstraint("(status = 'active') = (active_station_id IS NOT NULL)",
                        name="active_marks_station"),
        CheckConstraint("active_station_id IS NULL OR active_station_id = station_id",
                        name="active_station_is_own"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    donation_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[NamingStatus] = mapped_column(enum_column(NamingStatus),
                                                 default=NamingStatus.APPLIED)
    active_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), unique=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]

    station: Mapped[Station] = relationship(foreign_keys=[station_id])
    sponsor: Mapped[Organization] = relationship()
