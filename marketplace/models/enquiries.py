"""The tender's enquiry period: bidders ask questions, the community answers them in public."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.accounts import Account, Organization

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class Question(db.Model):
    """One social organization's question; the answer is public, the asker stays private."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    body: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))

    project: Mapped[Project] = relationship(back_populates="questions")
    organization: Mapped[Organization] = relationship()
    asked_by: Mapped[Account] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[Account | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_answered(self) -> bool:
        return self.answer is not None
