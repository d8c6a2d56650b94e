"""Failed log-ins, kept in the database so every worker and host counts the same attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class LoginFailure(db.Model):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_ip_at", "email", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased as typed, known or not
    ip: Mapped[str] = mapped_column(String(45))  # IPv6 at its longest
    at: Mapped[datetime] = mapped_column(index=True)
