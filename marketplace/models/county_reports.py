"""County progress reports (appendix 8): the schedule the administrator sets per county and the
reports recorded against it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account


class ReportSchedule(db.Model):
    """One county reports every ``every_days`` days; the next report is due on ``next_due_on``."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    county: Mapped[str] = mapped_column(String(40), unique=True)
    every_days: Mapped[int]
    next_due_on: Mapped[date]
    # The due day a reminder was sent for: one reminder per due day, however often the sweep runs.
    reminded_for: Mapped[date | None]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by: Mapped[Account] = relationship()
    reports: Mapped[list[CountyReport]] = relationship(
        back_populates="schedule", order_by="CountyReport.due_on"
    )


class CountyReport(db.Model):
    """A county's progress report for one due day, as the administrator recorded it."""

    __tablename__ = "county_reports"
    __table_args__ = (UniqueConstraint("schedule_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedules.id"), index=True)
    due_on: Mapped[date]  # the period it answers
    body: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    schedule: Mapped[ReportSchedule] = relationship(back_populates="reports")
    recorded_by: Mapped[Account] = relationship()

