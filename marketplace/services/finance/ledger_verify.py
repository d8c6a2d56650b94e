"""Checking the ledger against itself and against the subscriptions it accounts for.

Balances are not stored, so "a balance equals the sum of its entries" holds by construction;
what can go wrong is a row changed behind the product's back (raw SQL, a bad restore). These
checks find that: an unbalanced transaction, an overdrawn holding account, a project whose
commitments account disagrees with its live commitments, a fund whose income less spending
(``services/fund.py``, what every page shows) is not what its accounts hold, or an enterprise
that moved or withdrew more credit than was ever returned to it.
"""

from __future__ import annotations

from collections.abc import Iterator

from marketplace.extensions import db
from marketplace.models import (
    Commitment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Match,
    Subscription,
)
from marketplace.models.ledger import HOLDING_KINDS, AccountKind
from marketplace.services.finance.fund import FUND_KINDS, fund_figures
from marketplace.services.subscription.credit import overdrawn_credits


def discrepancies() -> Iterator[str]:
    """Every problem found, most fundamental first; an empty iterator means the ledger is sound."""
    total = db.func.sum(LedgerEntry.amount_fen)
    count = db.func.count(LedgerEntry.id)
    unbalanced = db.session.execute(
        db.select(LedgerTransaction.id, db.func.coalesce(total, 0), count)
        .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id)
        .having(db.or_(db.func.coalesce(total, 0) != 0, count < 2))
        .order_by(LedgerTransaction.id))
    for tx_id, off, entries in unbalanced:
        off = int(off)
        yield (f"transaction {tx_id} does not balance: its {entries} entries sum to {off} fen"
               if off else f"transaction {tx_id} has {entries} entries; it needs at least two")
    balances = db.session.execute(
        db.select(LedgerAccount, db.func.coalesce(total, 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id).order_by(LedgerAccount.id)).all()
    balances = [(account, int(held)) for account, held in balances]
    for account, held in balances:
        if account.kind in HOLDING_KINDS and held < 0:
            yield f"account {account.code} is overdrawn: {held} fen"
    committed = {project_id: int(fen) for project_id, fen in db.session.execute(
        db.select(Subscription.project_id, db.func.sum(Subscription.amount_fen))
        .where(Subscription.status == Commitment.COMMITTED)
        .group_by(Subscription.project_id))}
    for project_id, fen in db.session.execute(  # the fund's matches of those commitments
            db.select(Subscription.project_id, db.func.sum(Match.amount_fen))
            .join(Match, Match.subscription_id == Subscription.id)
            .where(Subscription.status == Commitment.COMMITTED)
            .group_by(Subscription.project_id)):
        committed[project_id] = committed.get(project_id, 0) + int(fen)
    held_for = {account.project_id: held for account, held in balances
                if account.kind is AccountKind.COMMITMENT}
    for project_id in sorted(set(committed) | set(held_for)):
        if committed.get(project_id, 0) != held_for.get(project_id, 0):
            yield (f"project {project_id}: commitments account holds "
                   f"{held_for.get(project_id, 0)} fen but live commitments and matches total "
                   f"{committed.get(project_id, 0)} fen")
    fund = fund_figures()
    held = sum(held for account, held in balances if account.kind in FUND_KINDS)
    if fund.income_fen - fund.spending_fen != held or fund.held_fen != held:
        yield (f"the fund's income {fund.income_fen} fen less its spending "
               f"{fund.spending_fen} fen does not equal the {held} fen its accounts hold")
    for organization_id, credit in overdrawn_credits():
        yield (f"organization {organization_id} spent more credit than was returned to it: "
               f"{credit} fen")
