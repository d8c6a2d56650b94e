"""The tender: sealed bids by social organizations and the award (the contract)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization, enum_column

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class BidStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"  # found invalid when opened
    AWARDED = "awarded"
    LOST = "lost"


class Bid(db.Model):
    __tablename__ = "bids"
    __table_args__ = (CheckConstraint("price_fen > 0", name="price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    delivery_plan: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text, default="")
    # [{"title", "due": "YYYY-MM-DD", "share_pct"}, ...]: becomes the contract's milestones.
    milestone_plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[BidStatus] = mapped_column(enum_column(BidStatus), default=BidStatus.SUBMITTED)
    score: Mapped[int | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="bids")
    organization: Mapped[Organization] = relationship()

    @property
    def is_valid(self) -> bool:
        """A bid can win if it stands and its price fits the project's budget."""
        return self.status is BidStatus.SUBMITTED and self.price_fen <= self.project.budget_fen

    @classmethod
    def valid_clause(cls, budget_fen: Any) -> Any:
        """``is_valid`` as a WHERE clause, against the project's budget column."""
        return and_(cls.status == BidStatus.SUBMITTED, cls.price_fen <= budget_fen)


class Award(db.Model):
    """The contract between the community and the winning social organization."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    contract_started_at: Mapped[datetime | None]  # the standstill passed with no open complaint

    project: Mapped[Project] = relationship(back_populates="award")
    bid: Mapped[Bid] = relationship()
    organization: Mapped[Organization] = relationship()
