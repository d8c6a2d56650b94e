"""The tender: sealed bids by social organizations and the award (the contract)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization, enum_column

if TYPE_CHECKING:
    from marketplace.models.projects import Project


def within_budget(price_fen: int, project: Project) -> bool:
    """The rule ``bid_within_budget``: a bid asks at most the bundle's budget. Checked when a
    bid is submitted (services/tendering/tender.py) and again when bids are opened."""
    return price_fen <= project.budget_fen


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
    documents: Mapped[list[BidDocument]] = relationship(back_populates="bid",
                                                        order_by="BidDocument.id")

    @property
    def is_valid(self) -> bool:
        """A bid can win if it stands and its price fits the project's budget."""
        return self.status is BidStatus.SUBMITTED and within_budget(self.price_fen, self.project)

    @classmethod
    def valid_clause(cls, budget_fen: Any) -> Any:
        """``is_valid`` as a WHERE clause, against the project's budget column."""
        return and_(cls.status == BidStatus.SUBMITTED, cls.price_fen <= budget_fen)


class BidDocument(db.Model):
    """A file attached to a bid (qualifications, a detailed plan, a budget sheet): stored as
    evidence is, under a generated name, and read under ``visibility.may_see_bid_document``."""

    __tablename__ = "bid_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    bid: Mapped[Bid] = relationship(back_populates="documents")


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
