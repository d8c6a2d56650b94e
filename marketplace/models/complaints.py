"""Complaints against a provisional award, lodged by a losing bidder during the standstill."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.accounts import Account, Organization, enum_column

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class ComplaintStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the award was cancelled and the next-best bid awarded
    DISMISSED = "dismissed"


class Complaint(db.Model):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    lodged_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    award_bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))  # the award complained of
    reasons: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime]
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus),
                                                    default=ComplaintStatus.OPEN)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="complaints")
    organization: Mapped[Organization] = relationship()
    lodged_by: Mapped[Account] = relationship(foreign_keys=[lodged_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.status is ComplaintStatus.OPEN
