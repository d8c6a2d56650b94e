"""Love Stations: the community premises every project belongs to."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization, enum_column


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

    community: Mapped[Organization] = relationship()

    @property
    def is_approved(self) -> bool:
        return self.status is StationStatus.APPROVED
