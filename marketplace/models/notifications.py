"""Notifications: an in-app inbox per account and an outbox of e-mail waiting to be sent.

A notification stores a message key and its parameters, not rendered text, so the inbox shows
it in the reader's language; the texts live in ``marketplace.services.record.notifications``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account

if TYPE_CHECKING:
    from marketplace.models.projects import Project


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))  # the message key, e.g. "project_funded"
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()
    project: Mapped[Project | None] = relationship()

    def text(self, lang: str = "zh") -> str:
        from marketplace.services.record.notifications import render

        return render(self.kind, self.params, lang)


class OutboxMail(db.Model):
    """An e-mail to send; the scheduler's mail job sends it and records each attempt."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
