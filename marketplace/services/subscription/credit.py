"""Released credit: money handed back to an enterprise, which it may move or withdraw.

When a project ends unfunded or cancelled, or escrow is returned at close-out, ``money.settle``
posts the enterprise's money back to its own ledger account, where it stands as credit. The
credit is read from the ledger, never stored: everything that came back to the account
(positive entries) less what was moved to another project (``move_credit``) or withdrawn
(``withdraw_credit``). New subscriptions and naming donations are new money and leave it alone.

Moving and withdrawing lock the enterprise's organization row first, then (for a move) the
project and the match offer, always in that order: two moves of the same credit at once
queue on that lock, and the second sees what the first spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, or_

from marketplace.extensions import db
from marketplace.models import (
    Account,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Organization,
    Project,
    Role,
    Subscription,
)
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.finance.ledger import (
    Cause,
    commitments_account,
    organization_account,
    payouts_account,
    post,
)
from marketplace.services.record.audit import record

MOVE, WITHDRAW = "move_credit", "withdraw_credit"
SPENDING = (MOVE, WITHDRAW)


def _counts() -> object:
    """The entries that make up credit: what came back, and what credit paid for."""
    return or_(LedgerEntry.amount_fen > 0, LedgerTransaction.trigger.in_(SPENDING))


def credit_query(organization_id: int) -> Select[tuple[int]]:
    """The statement ``credit_fen`` runs, for a page that reads it with other counts at once."""
    return (db.select(db.func.coalesce(db.func.sum(
        case((_counts(), LedgerEntry.amount_fen), else_=0)), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.organization_id == organization_id,
               LedgerAccount.kind == AccountKind.ENTERPRISE))


def credit_fen(organization_id: int) -> int:
    """The enterprise's credit now (read only: opens no account)."""
    return int(db.session.execute(credit_query(organization_id)).scalar_one())


def overdrawn_credits() -> list[tuple[int, int]]:
    """(organization id, credit) of every enterprise that spent more credit than came back:
    impossible through the services, so a sign of rows changed behind their back."""
    credit = db.func.sum(case((_counts(), LedgerEntry.amount_fen), else_=0))
    return [(organization_id, int(fen)) for organization_id, fen in db.session.execute(
        db.select(LedgerAccount.organization_id, credit)
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == AccountKind.ENTERPRISE)
        .group_by(LedgerAccount.organization_id).having(credit < 0)
        .order_by(LedgerAccount.organization_id))]


@dataclass(frozen=True)
class CreditStep:
    """One change to the credit: money released or returned to it, moved, or withdrawn."""

    at: datetime
    kind: str  # "returned", "moved" or "withdrawn"
    amount_fen: int  # the change: positive came in, negative went out
    project: Project | None
    reason: str  # the ledger's own words (English, as every ledger reason)
    trigger: str  # the move that changed it, named in the reader's language by the pages
    note: str | None = None  # what the enterprise typed when it withdrew


def credit_steps(organization_id: int) -> list[CreditStep]:
    """Every change to the enterprise's credit, oldest first."""
    rows = db.session.execute(
        db.select(LedgerTransaction, LedgerEntry.amount_fen, Project)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .outerjoin(Project, Project.id == LedgerTransaction.project_id)
        .where(LedgerAccount.organization_id == organization_id,
               LedgerAccount.kind == AccountKind.ENTERPRISE, _counts())
        .order_by(LedgerTransaction.id)).all()
    kinds = {MOVE: "moved", WITHDRAW: "withdrawn"}
    enterprise = db.session.get(Organization, organization_id)
    return [CreditStep(tx.created_at, kinds.get(tx.trigger, "returned"), int(amount), project,
                       tx.reason, tx.trigger, _withdrawal_note(tx, enterprise))
            for tx, amount, project in rows]


def _withdrawal_reason(enterprise: Organization, reason: str) -> str:
    return f"Credit withdrawn by {enterprise.name}: {reason}"


def _withdrawal_note(transaction: LedgerTransaction,
                     enterprise: Organization | None) -> str | None:
    """The reason the enterprise typed, from its withdrawal's ledger reason."""
    if transaction.trigger != WITHDRAW or enterprise is None:
        return None
    return transaction.reason.removeprefix(_withdrawal_reason(enterprise, "")) or None


def lock_enterprise(actor: Account) -> Organization:
    """The actor's enterprise, row-locked: the one queue every spending of its credit joins."""
    require(actor, Role.ENTERPRISE)
    organization = db.session.execute(
        db.select(Organization).where(Organization.id == actor.organization_id)
        .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if organization is None:
        raise NotFound("No organization %(id)s.", id=actor.organization_id)
    return organization


def check_within(amount_fen: int, available_fen: int) -> None:
    """An amount of credit to spend: above zero and no more than there is. The credit forms
    ask it before their confirmation step; the move itself asks again under the lock."""
    if amount_fen <= 0:
        raise Invalid("The amount must be above zero.", field="amount")
    if amount_fen > available_fen:
        raise Conflict("Your credit is %(credit_fen)s, less than %(amount_fen)s.",
                       field="amount", rule="within_credit", credit_fen=available_fen,
                       amount_fen=amount_fen)


def check_credit(organization: Organization, amount_fen: int) -> None:
    """Refuse to spend more credit than there is; the caller holds ``lock_enterprise``."""
    check_within(amount_fen, credit_fen(organization.id))


def commit_from_credit(subscription: Subscription, *, now: datetime) -> None:
    """Like ``money.commit``, but marked as credit spent, so the credit goes down by it."""
    project = subscription.project
    post(f"Credit moved to {project.title}",
         [(organization_account(subscription.enterprise), -subscription.amount_fen),
          (commitments_account(project), subscription.amount_fen)],
         Cause(MOVE, project.id, subscription.id), now=now)


def withdraw_credit(amount_fen: int, reason: str, *, actor: Account,
                    now: datetime) -> LedgerTransaction:
    """Pay credit out of the fund, back to the enterprise's bank account, with its reason."""
    require(actor, Role.ENTERPRISE)
    reason = (reason or "").strip()
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise Invalid("The amount must be above zero.", field="amount")
    if not reason or len(reason) > 2000:
        raise Invalid("Say why the credit is withdrawn (at most 2000 characters).",
                      field="reason")
    with atomic():
        enterprise = lock_enterprise(actor)
        check_credit(enterprise, amount_fen)
        transaction = post(_withdrawal_reason(enterprise, reason),
                           [(organization_account(enterprise), -amount_fen),
                            (payouts_account(), amount_fen)], Cause(WITHDRAW), now=now)
        record(None, actor, WITHDRAW, now=now, reason=reason,
               details={"amount_fen": amount_fen, "ledger_transaction_id": transaction.id})
    return transaction
