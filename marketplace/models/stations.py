"""Love Stations: the community premises every project belongs to.

The policy's rules for the premises (ground floor, at least 30 m², registered as a private
non-enterprise unit) are checked by ``services/stations.py``; the row keeps what was declared
and who decided on it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account, Organization, enum_column

if TYPE_CHECKING:
    from marketplace.models.naming import NamingRight

MINIMUM_AREA_M2 = Decimal(30)
GROUND_FLOOR = 1


class StationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Station(db.Model):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[StationStatus] = mapped_column(
        enum_column(StationStatus), default=StationStatus.PENDING
    )
    county: Mapped[str] = mapped_column(String(40), index=True)
    town: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300))
    floor: Mapped[int] = mapped_column(default=1)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Registered as a private non-enterprise unit (民办非企业单位): its unified social credit code.
    registration_number: Mapped[str | None] = mapped_column(String(18))
    director: Mapped[str] = mapped_column(String(100), default="", server_default="")
    opening_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    social_workers: Mapped[int] = mapped_column(default=0, server_default="0")
    # The administrator's decision: a station under 30 m² is approved only with a waiver.
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    community: Mapped[Organization] = relationship()
    decided_by: Mapped[Account | None] = relationship()
    # The sponsor's name while a naming right is active (services/naming.py keeps it current).
    active_naming: Mapped[NamingRight | None] = relationship(
        "NamingRight", primaryjoin="Station.id == foreign(NamingRight.active_station_id)",
        viewonly=True, uselist=False)

    @property
    def display_name(self) -> str:
        """The name the station carries: its sponsor's name while one is active (冠名)."""
        return self.active_naming.name if self.active_naming else self.name

    @property
    def is_approved(self) -> bool:
        return self.status is StationStatus.APPROVED

    @property
    def needs_waiver(self) -> bool:
        """Smaller than the policy's 30 m²: approval needs the administrator's reasoned waiver."""
        return self.area_m2 < MINIMUM_AREA_M2
