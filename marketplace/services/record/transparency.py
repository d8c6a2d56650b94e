"""What the public may trace: a project's money trail and the ledger itself (the fund's
figures over time are ``services/finance/fund.py``).

Everything here is read from the ledger, never from a second set of numbers, so the pages and
the exports cannot disagree with ``flask ledger verify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, or_
from sqlalchemy.orm import InstrumentedAttribute

from marketplace.extensions import db
from marketplace.models import (
    AccountKind,
    Commitment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Match,
    Project,
    Subscription,
)
from marketplace.services.core.visibility import PUBLIC_STATES
from marketplace.services.reports.exports import csv_text, xlsx_bytes

LEDGER_COLUMNS = ("transaction_id", "created_at", "trigger", "reason", "project_id",
                  "subscription_id", "milestone_id", "reverses_id", "account_code",
                  "account_kind", "account_name", "amount_fen")


@dataclass(frozen=True)
class Trail:
    """A project's money, in fen: what came in, what went where, what is held now."""

    committed: int  # subscribed by enterprises
    matched: int  # put beside them by the fund's match offers
    collected: int  # taken into escrow when the project went to tendering
    paid: int  # paid out to the delivering organization in milestone tranches
    released: int  # handed back to enterprises and the fund (release, refund)
    held: int  # in the commitments account and escrow now

    @property
    def raised(self) -> int:
        """What came in and stayed with the project (paid out or held), not what went back:
        the project page's and the home page's "raised"."""
        return self.committed + self.matched - self.released

    @property
    def balanced(self) -> bool:
        return self.committed + self.matched == self.paid + self.released + self.held


def _entries(project: Project, until: datetime | None = None
             ) -> dict[AccountKind, list[tuple[int, str]]]:
    """The entries of the project's commitment and escrow accounts, in one query (read only:
    opens no account); ``until``: only those of transactions dated by then."""
    kinds: dict[AccountKind, list[tuple[int, str]]] = {AccountKind.COMMITMENT: [],
                                                        AccountKind.ESCROW: []}
    query = (db.select(LedgerAccount.kind, LedgerEntry.amount_fen, LedgerTransaction.trigger)
             .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
             .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
             .where(LedgerAccount.project_id == project.id, LedgerAccount.kind.in_(kinds)))
    if until is not None:
        query = query.where(LedgerTransaction.created_at <= until)
    for kind, amount, trigger in db.session.execute(query):
        kinds[kind].append((int(amount), trigger))
    return kinds


def money_trail(project: Project, until: datetime | None = None) -> Trail:
    """Committed, matched, collected, paid and released, from the project's two accounts.

    ``until``: the trail as it stood then, from the subscriptions, matches and ledger
    transactions dated by then (none of them is ever rewritten, so the past stays as it was).
    """
    def total(column: InstrumentedAttribute[int], of: InstrumentedAttribute[int],
              dated: InstrumentedAttribute[datetime]) -> ScalarSelect[int]:
        query = db.select(db.func.coalesce(db.func.sum(column), 0)).where(of == project.id)
        if until is not None:
            query = query.where(dated <= until)
        return query.scalar_subquery()

    # Both sums in one round trip: one page view, one statement fewer.
    committed, matched = (int(n) for n in db.session.execute(db.select(
        total(Subscription.amount_fen, Subscription.project_id, Subscription.created_at),
        total(Match.amount_fen, Match.project_id, Match.created_at))).one())
    entries = _entries(project, until)
    held_entries, escrow_entries = entries[AccountKind.COMMITMENT], entries[AccountKind.ESCROW]
    collected = sum(amount for amount, _ in escrow_entries if amount > 0)
    paid = -sum(amount for amount, trigger in escrow_entries
                if amount < 0 and trigger == "accept_milestone")
    held = sum(a for a, _ in held_entries) + sum(a for a, _ in escrow_entries)
    came_in = sum(amount for amount, _ in held_entries if amount > 0)
    return Trail(committed=committed, matched=matched, collected=collected, paid=paid,
                 released=came_in - paid - held, held=held)


def _raised(*where: ColumnElement[bool]) -> Select[Any]:
    """``Trail.raised`` as SQL: what the commitment and escrow accounts hold plus what escrow
    paid to the organizations (so a release or a refund lowers it, as it lowers each trail)."""
    paid_out = and_(LedgerAccount.kind == AccountKind.ESCROW,
                    LedgerTransaction.trigger == "accept_milestone", LedgerEntry.amount_fen < 0)
    return (db.select(db.func.coalesce(db.func.sum(
            case((paid_out, 0), else_=LedgerEntry.amount_fen)), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.kind.in_((AccountKind.COMMITMENT, AccountKind.ESCROW)), *where))


def raised_fen() -> int:
    """Every public project's ``Trail.raised`` summed, in one statement."""
    return int(db.session.execute(
        _raised(Project.state.in_(PUBLIC_STATES))
        .join(Project, Project.id == LedgerAccount.project_id)).scalar_one())


def raised_by_project(project_ids: Iterable[int]) -> dict[int, int]:
    """Each listed project's ``Trail.raised``, in one statement for a page of cards; a project
    with no money yet is absent (0)."""
    ids = list(project_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        _raised(LedgerAccount.project_id.in_(ids))
        .add_columns(LedgerAccount.project_id).group_by(LedgerAccount.project_id))
    return {project_id: int(raised) for raised, project_id in rows}


def funders(project: Project, until: datetime | None = None) -> int:
    """The enterprises (and donors) whose money is with the project: a released subscription
    no longer counts. ``until``: those subscribed by then and not yet handed back then."""
    live = Subscription.status != Commitment.RELEASED
    if until is not None:
        live = and_(Subscription.created_at <= until,
                    or_(live, Subscription.settled_at.is_(None), Subscription.settled_at > until))
    return int(db.session.execute(
        db.select(db.func.count(db.distinct(Subscription.enterprise_id)))
        .where(Subscription.project_id == project.id, live)).scalar_one())


@dataclass(frozen=True)
class Stake:
    """What one enterprise has with one project now, in fen: its live subscriptions and the
    fund's matches of them (the subscription's confirmation)."""

    subscribed: int
    matched: int


def stake(project_id: int, organization_id: int) -> Stake:
    live = (Subscription.project_id == project_id,
            Subscription.enterprise_id == organization_id,
            Subscription.status != Commitment.RELEASED)
    subscribed = db.select(db.func.coalesce(db.func.sum(Subscription.amount_fen), 0)) \
        .where(*live).scalar_subquery()
    matched = (db.select(db.func.coalesce(db.func.sum(Match.amount_fen), 0))
               .join(Subscription, Subscription.id == Match.subscription_id)
               .where(*live).scalar_subquery())
    mine, fund = db.session.execute(db.select(subscribed, matched)).one()
    return Stake(subscribed=int(mine), matched=int(fund))


def ledger_rows() -> Iterator[tuple[object, ...]]:
    """Every entry with its transaction and account, oldest first: the public ledger."""
    query = (db.select(LedgerTransaction, LedgerEntry, LedgerAccount)
             .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
             .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
             .order_by(LedgerTransaction.id, LedgerEntry.id))
    for tx, entry, account in db.session.execute(query):
        yield (tx.id, tx.created_at.isoformat(), tx.trigger, tx.reason, tx.project_id,
               tx.subscription_id, tx.milestone_id, tx.reverses_id, account.code,
               account.kind.value, account.name, entry.amount_fen)


def ledger_entries() -> int:
    """How many rows ``ledger_rows`` yields: the length of a progress bar."""
    return int(db.session.execute(
        db.select(db.func.count()).select_from(LedgerEntry)).scalar_one())


def ledger_xlsx(rows: Iterable[tuple[object, ...]] | None = None) -> bytes:
    """The same rows and columns as ``ledger_csv``, as one Excel sheet (numbers stay numbers);
    ``rows``: ``ledger_rows()`` as the caller iterates them (a command's progress bar)."""
    return xlsx_bytes([("ledger", chain([LEDGER_COLUMNS],
                                        ledger_rows() if rows is None else rows))])


def ledger_csv(rows: Iterable[tuple[object, ...]] | None = None) -> str:
    return csv_text(chain([LEDGER_COLUMNS], ledger_rows() if rows is None else rows))
