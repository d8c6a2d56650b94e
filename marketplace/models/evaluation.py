"""Evaluations: an evaluator's sheet of per-indicator scores for one round of a project."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account
from marketplace.models.catalog import Indicator

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class Evaluation(db.Model):
    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("project_id", "evaluator_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)  # 2 after a rectification
    no_conflict_declared: Mapped[bool] = mapped_column(default=False)
    comments: Mapped[str] = mapped_column(Text, default="")
    # Weighted total out of 100, fixed when the sheet is submitted.
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="evaluations")
    evaluator: Mapped[Account] = relationship()
    scores: Mapped[list[IndicatorScore]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )

    def compute_total(self) -> Decimal:
        """Σ weight × score / max_score, on a 100-point scale."""
        total = sum(
            (Decimal(s.indicator.weight) * s.score / s.indicator.max_score for s in self.scores),
            Decimal(0),
        )
        return total.quantize(Decimal("0.01"))


class IndicatorScore(db.Model):
    __tablename__ = "indicator_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    comment: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")
    indicator: Mapped[Indicator] = relationship()
