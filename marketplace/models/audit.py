"""Audit events: who moved which project from where to where, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(300))  # an account's label, or "scheduler"
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    trigger: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The tamper-evident chain (services.record.chain): SHA-256 over the previous event's hash
    # and this event's canonical JSON; set by services.record.audit.seal when the event is recorded.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    project: Mapped[Project | None] = relationship()
