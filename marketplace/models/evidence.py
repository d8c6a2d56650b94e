"""Evidence files attached to a progress report: the bytes live on disk, the facts live here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import Account
from marketplace.models.delivery import ProgressReport


class Evidence(db.Model):
    """One uploaded file. ``stored_name`` is generated: the uploader's file name never reaches
    the file system, it is only shown back (and offered as the download name)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # from the sniffed kind, not the client
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")
    uploaded_by: Mapped[Account] = relationship()
