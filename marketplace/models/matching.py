"""Matchfunding: the development fund's offers to match subscriptions, and each match made.

An offer is a promise with a budget; a match is the fund's money put beside one subscription.
A match has no status of its own: it follows the subscription it matched (committed, collected,
released), so the fund's money always shares the project's outcome with the enterprise's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.funding import Subscription


class MatchOffer(db.Model):
    __tablename__ = "match_offers"
    __table_args__ = (
        CheckConstraint("ratio_pct > 0", name="ratio_positive"),
        CheckConstraint("matched_fen >= 0 AND matched_fen <= budget_fen", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source_code: Mapped[str] = mapped_column(String(80))  # the fund source that pays the matches
    ratio_pct: Mapped[int]  # fen matched per 100 fen subscribed: 100 is one-to-one
    cap_per_subscription_fen: Mapped[int] = mapped_column(BigInteger)
    cap_per_project_fen: Mapped[int] = mapped_column(BigInteger)
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    # Live matches (not released), kept under the offer's row lock so it never passes the budget.
    matched_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    service_areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every area
    counties: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every county
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def ratio_yuan(self) -> str:
        """Yuan matched per yuan subscribed, as a person writes it: 50 → "0.5", 100 → "1"."""
        return format(Decimal(self.ratio_pct) / 100, "f")

    @property
    def budget_left_fen(self) -> int:
        return self.budget_fen - self.matched_fen


class Match(db.Model):
    __tablename__ = "matches"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("match_offers.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[MatchOffer] = relationship()
    subscription: Mapped[Subscription] = relationship()

    @property
    def source_code(self) -> str:
        """The fund source the match came from, where it goes back if released."""
        return self.offer.source_code
