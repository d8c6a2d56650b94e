"""Subscriptions: an enterprise's commitment of money to a project (认购)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization, enum_column

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class Commitment(enum.StrEnum):
    COMMITTED = "committed"  # promised while the project is in subscription
    COLLECTED = "collected"  # taken into the project's escrow when it goes to tendering
    RELEASED = "released"  # handed back: the project ended unfunded or was cancelled


class Holding:
    """How a commitment stands, for the ORM row and the sweep's plain row alike."""

    @property
    def is_live(self) -> bool:
        return self.status is not Commitment.RELEASED


class Subscription(Holding, db.Model):
    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        # A project's subscriptions, and their sum (the money trail) from the index alone.
        Index("ix_subscriptions_project_id_amount_fen", "project_id", "amount_fen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[Commitment] = mapped_column(
        enum_column(Commitment), default=Commitment.COMMITTED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
    # Paid from the enterprise's credit (money released to it earlier), not new money.
    from_credit: Mapped[bool] = mapped_column(default=False)

    project: Mapped[Project] = relationship(back_populates="subscriptions")
    enterprise: Mapped[Organization] = relationship()
