"""Inspections in the policy's three phases: the site before a station opens, a project midway,
and a project's effect after it is delivered."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account, enum_column
from marketplace.models.stations import Station

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class InspectionPhase(enum.StrEnum):
    SITE = "site"  # 选点考察: the station's premises, before it is approved
    MIDTERM = "midterm"  # 中期评估: a project in implementation
    EFFECT = "effect"  # 效果评估: a project once it has been delivered


class InspectionRating(enum.StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"
    FAIL = "fail"


class Inspection(db.Model):
    __tablename__ = "inspections"
    # A site inspection is of a station; the other phases are of one of its projects.
    __table_args__ = (
        CheckConstraint("(phase = 'site') = (project_id IS NULL)", name="subject_fits_phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phase: Mapped[InspectionPhase] = mapped_column(enum_column(InspectionPhase))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    inspected_on: Mapped[date]
    inspector_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    findings: Mapped[str] = mapped_column(Text)
    rating: Mapped[InspectionRating] = mapped_column(enum_column(InspectionRating))
    follow_up: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    station: Mapped[Station] = relationship()
    project: Mapped[Project | None] = relationship()
    inspector: Mapped[Account] = relationship()
