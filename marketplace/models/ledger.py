"""The development fund's double-entry ledger: accounts, transactions and their entries.

Every amount is integer fen. An entry's ``amount_fen`` is the change in what its account holds
(positive: money arrives, negative: money leaves), so the entries of one transaction sum to zero.
Balances are never stored: an account's balance is the sum of its entries, which leaves nothing
to drift. Entries and transactions are append-only; a correction is a reversing transaction.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models.accounts import enum_column


class AccountKind(enum.StrEnum):
    FUND_SOURCE = "fund_source"  # where the development fund's money comes from
    FUND_USE = "fund_use"  # what the fund spends on
    COMMITMENT = "commitment"  # a project's commitments held while it is in subscription
    ESCROW = "escrow"  # a project's collected money, paid out in milestone tranches
    ENTERPRISE = "enterprise"  # an enterprise's position: negative = given, positive = credit
    SOCIAL_ORG = "social_org"  # what a social organization has been paid
    EXTERNAL = "external"  # outside the fund: credit withdrawn to enterprises' bank accounts


# Accounts whose balance can never fall below zero: they hold money that someone else gave.
HOLDING_KINDS = frozenset({AccountKind.COMMITMENT, AccountKind.ESCROW})


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LedgerAccount {self.code}>"


class LedgerTransaction(db.Model):
    """One balanced posting, with its reason and what caused it."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(60))  # the move or operation that caused it
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="transaction",
                                                      order_by="LedgerEntry.id")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"),
                                                index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship()


class LedgerTampered(Exception):
    """Something tried to change or delete a posted ledger row through the ORM."""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, LedgerEntry | LedgerTransaction):
            raise LedgerTampered("Ledger rows are never deleted; post a reversing transaction.")
    for obj in session.dirty:
        if isinstance(obj, LedgerEntry | LedgerTransaction) and session.is_modified(
                obj, include_collections=False):
            raise LedgerTampered("Ledger rows are never changed; post a reversing transaction.")
