"""Evaluation awards (评估奖励): the fund's prize to the organization that delivered a
completed project well, paid from the fund's "evaluation awards" use.

One award per project, kept by a unique ``project_id`` so a double click or a race cannot pay
twice; the money itself is the ledger transaction posted with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Organization
from marketplace.models.projects import Project


class EvaluationAward(db.Model):
    __tablename__ = "evaluation_awards"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    citation: Mapped[str] = mapped_column(Text, default="")  # why, shown on the public pages
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()
    organization: Mapped[Organization] = relationship()
