"""Implementation: the contract's milestones and the organization's progress reports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import enum_column

if TYPE_CHECKING:
    from marketplace.models.evidence import Evidence
    from marketplace.models.projects import Project


class MilestoneStatus(enum.StrEnum):
    PENDING = "pending"
    REPORTED = "reported"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("project_id", "sequence"),
        # The clock's notices look only at open milestones not yet reported overdue, by due day:
        # the sweep reads the rows that are due, not the whole table.
        Index("ix_milestones_open_by_due", "status", "overdue_notified_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    sequence: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    share_pct: Mapped[int]  # the payment tranche released when the milestone is accepted
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_column(MilestoneStatus), default=MilestoneStatus.PENDING
    )
    accepted_at: Mapped[datetime | None]
    # When the clock's reminder (before the due day) and overdue notice went out: once each.
    reminded_at: Mapped[datetime | None]
    overdue_notified_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(back_populates="milestones")

    def is_overdue(self, today: date) -> bool:
        """Past its due day without an accepted report."""
        return self.status is not MilestoneStatus.ACCEPTED and today > self.due_on


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
    body: Mapped[str] = mapped_column(Text)
    people_served: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_comment: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="progress_reports")
    milestone: Mapped[Milestone | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="report",
                                                    order_by="Evidence.id")
