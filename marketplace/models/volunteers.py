"""Volunteers (义工) of a station and the hours they serve, per project where there is one."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.stations import Station

if TYPE_CHECKING:
    from marketplace.models.projects import Project

NAME_LENGTH = 100


class Volunteer(db.Model):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    station: Mapped[Station] = relationship()
    hours: Mapped[list[VolunteerHours]] = relationship(
        back_populates="volunteer", order_by="VolunteerHours.served_on"
    )


class VolunteerHours(db.Model):
    """One stint of service; kept in whole minutes so totals add up exactly."""

    __tablename__ = "volunteer_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    served_on: Mapped[date]
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    volunteer: Mapped[Volunteer] = relationship(back_populates="hours")
    project: Mapped[Project | None] = relationship()
