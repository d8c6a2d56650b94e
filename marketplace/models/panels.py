"""Evaluation panels: the evaluators the administrator appoints to score one project."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class PanelAssignment(db.Model):
    __tablename__ = "panel_assignments"
    __table_args__ = (UniqueConstraint("project_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A declared conflict of interest: the member stays on record but no longer counts.
    recused_at: Mapped[datetime | None]
    recusal_reason: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="panel")
    evaluator: Mapped[Account] = relationship(foreign_keys=[evaluator_id])
    assigned_by: Mapped[Account] = relationship(foreign_keys=[assigned_by_id])

    @property
    def is_recused(self) -> bool:
        return self.recused_at is not None
