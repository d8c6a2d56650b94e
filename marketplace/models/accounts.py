"""Organizations (each with one role) and the accounts of the people who act for them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from marketplace.clock import utcnow
from marketplace.extensions import db


class Role(enum.StrEnum):
    COMMUNITY = "community"
    ENTERPRISE = "enterprise"
    SOCIAL_ORG = "social_org"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


class OrgStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Enums are stored as their string values (VARCHAR + CHECK), the same on both databases."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.PENDING)
    # 统一社会信用代码 for enterprises and social organizations (18 characters).
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    county: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="organization")

    @property
    def is_approved(self) -> bool:
        return self.status is OrgStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.role} {self.name!r}>"


class Account(UserMixin, db.Model):  # UserMixin: Flask-Login's session interface
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped at log-out and password change: session cookies of an older generation are void.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Asked at sign-up (the personal-information law wants the consent on record); accounts
    # an operator made, and those from before, have neither.
    phone: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="accounts")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the session generation."""
        return f"{self.id}:{self.session_generation}"

    @property
    def role(self) -> Role:
        return self.organization.role

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, salted

    @property
    def label(self) -> str:
        """How the account is named in audit trails."""
        return f"{self.name} <{self.email}>"

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.email}>"


class PasswordReset(db.Model):
    """A one-time link to set a new password, e-mailed to the account's address.

    Only the token's SHA-256 is stored: the database alone cannot open an account.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()
