"""Posting to the ledger and reading balances: the only way money moves in the product.

``post`` adds one balanced transaction to the caller's unit of work; the service that caused it
commits once, so the money moves together with the project change or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite

from marketplace.extensions import db
from marketplace.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Organization,
    Project,
    Role,
)
from marketplace.models.ledger import HOLDING_KINDS
from marketplace.services.core.errors import Conflict, Invalid
from marketplace.services.core.unit import remembered
from marketplace.sql import among

# The development fund's five sources and three uses (policy, "建设发展基金").
FUND_SOURCES = {
    "fund:source:fiscal": "Municipal and county fiscal special funds",
    "fund:source:lottery": "Welfare-lottery public-welfare funds",
    "fund:source:charity_federation": "Charity federations' annual budgets",
    "fund:source:sponsorship": "Enterprises' directed sponsorship",
    "fund:source:donations": "Public donations",
}
FUND_USES = {
    "fund:use:station_startup": "Station start-up costs",
    "fund:use:venture_investment": "Venture-philanthropy project investment",
    "fund:use:evaluation_awards": "Evaluation awards",
}

Line = tuple[LedgerAccount, int]
K = TypeVar("K")  # what a posting's lines name their accounts by: accounts, or their codes


@dataclass(frozen=True)
class Cause:
    """What made the money move: the trigger and the rows it concerns."""

    trigger: str
    project_id: int | None = None
    subscription_id: int | None = None
    milestone_id: int | None = None


def _account(code: str, name: str, kind: AccountKind, *, project_id: int | None = None,
             organization_id: int | None = None) -> LedgerAccount:
    """The account with this code, opened on first use; looked up once per unit of work.

    An account that ``remember_accounts`` found missing is opened with the rest of the unit of
    work, in one INSERT with the others; only the sweep does that, for the escrow accounts of
    projects it holds locked, so no other transaction races to open the same one.
    """
    accounts = remembered("ledger_accounts")  # code → account, or None: not opened yet
    account = accounts.get(code)
    if account is not None:
        return account
    if code in accounts:  # ``remember_accounts`` found none: open it with the unit of work
        account = LedgerAccount(code=code, name=name, kind=kind, project_id=project_id,
                                organization_id=organization_id)
        db.session.add(account)
    else:
        account = _find_or_open(code, name, kind, project_id, organization_id)
    if account.id is None:
        remembered("ledger_balances")[code] = 0
    accounts[code] = account
    return account


def _find_or_open(code: str, name: str, kind: AccountKind, project_id: int | None,
                  organization_id: int | None) -> LedgerAccount:
    """Two transactions may open the same account at once (one enterprise subscribing to two
    projects): the insert does nothing on the unique code when the other transaction's row is
    there (waiting for it to commit), and the loser then reads the winner's row instead of
    failing the whole subscription.
    """
    query = db.select(LedgerAccount).where(LedgerAccount.code == code)
    with db.session.no_autoflush:  # an account is no reason to write the move so far
        account = db.session.execute(query).scalar_one_or_none()
        if account is None:
            opening = _insert_or_ignore(db.session.get_bind().dialect.name)(
                LedgerAccount).values(code=code, name=name, kind=kind, project_id=project_id,
                                      organization_id=organization_id)
            account = db.session.execute(opening.on_conflict_do_nothing(index_elements=["code"])
                                         .returning(LedgerAccount)).scalar_one_or_none()
        return account or db.session.execute(query).scalar_one()


def _insert_or_ignore(dialect: str) -> Callable[..., Any]:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def remember_accounts(codes: Iterable[str]) -> None:
    """Look up these accounts, and the balances of those that hold money, in two queries.

    For a sweep that is about to post for many projects: ``_account`` and ``balance`` then
    answer from memory until the unit of work ends, and ``post`` keeps the balances current.
    Accounts not opened yet are left for ``_account`` to open on first use, without looking
    for them again.
    """
    accounts = remembered("ledger_accounts")
    wanted = set(codes) - set(accounts)
    if not wanted:
        return
    with db.session.no_autoflush:
        found = db.session.execute(
            db.select(LedgerAccount).where(LedgerAccount.code.in_(wanted))).scalars().all()
    accounts.update(dict.fromkeys(wanted))
    accounts.update((account.code, account) for account in found)
    holding = {account.id: account.code for account in found
               if account.kind in HOLDING_KINDS}
    if holding:
        db.session.flush()
        remembered("ledger_balances").update(balances_of(holding))


def balances_of(accounts: Mapping[int, str]) -> dict[str, int]:
    """What each of these accounts (id → code) holds, by code, in one query."""
    balances = dict.fromkeys(accounts.values(), 0)
    balances.update((accounts[account_id], int(total)) for account_id, total in
                    db.session.execute(
                        db.select(LedgerEntry.account_id, db.func.sum(LedgerEntry.amount_fen))
                        .where(among(LedgerEntry.account_id, accounts))
                        .group_by(LedgerEntry.account_id)))
    return balances


def fund_account(code: str) -> LedgerAccount:
    names = {**FUND_SOURCES, **FUND_USES}
    if code not in names:
        raise Invalid("No fund account %(code)s.", code=code)
    kind = AccountKind.FUND_SOURCE if code in FUND_SOURCES else AccountKind.FUND_USE
    return _account(code, names[code], kind)


def open_fund_accounts() -> list[LedgerAccount]:
    return [fund_account(code) for code in (*FUND_SOURCES, *FUND_USES)]


def project_account_codes(project_id: int) -> tuple[str, str]:
    """The codes of a project's commitments and escrow accounts."""
    return f"project:{project_id}:commitments", f"project:{project_id}:escrow"


def organization_account_code(organization_id: int) -> str:
    return f"org:{organization_id}"


def commitments_account(project: Project) -> LedgerAccount:
    return _account(project_account_codes(project.id)[0], f"Commitments held for {project.title}",
                    AccountKind.COMMITMENT, project_id=project.id)


def escrow_opening(project: Any) -> dict[str, Any]:
    """The row that opens a project's escrow, when its commitments are first collected."""
    return {"code": project_account_codes(project.id)[1], "name": f"Escrow of {project.title}",
            "kind": AccountKind.ESCROW, "project_id": project.id}


def escrow_account(project: Project) -> LedgerAccount:
    return _account(**escrow_opening(project))


def organization_account(organization: Organization) -> LedgerAccount:
    """An enterprise's or a social organization's balance."""
    kinds = {Role.ENTERPRISE: AccountKind.ENTERPRISE, Role.SOCIAL_ORG: AccountKind.SOCIAL_ORG}
    if organization.role not in kinds:
        raise Invalid("Only enterprises and social organizations hold a balance.")
    return _account(organization_account_code(organization.id), organization.name,
                    kinds[organization.role], organization_id=organization.id)


def payouts_account() -> LedgerAccount:
    """Outside the fund: where withdrawn credit goes, to the enterprises' bank accounts."""
    return _account("external:payouts", "Paid out to enterprises' bank accounts",
                    AccountKind.EXTERNAL)


def contributions_account() -> LedgerAccount:
    """Outside the fund: where money paid into it comes from (budgets, the lottery, donors)."""
    return _account("external:contributions", "Paid into the fund from outside",
                    AccountKind.EXTERNAL)


def receive(source_code: str, amount_fen: int, reason: str, *,
            now: datetime) -> LedgerTransaction:
    """Money paid into one of the fund's sources from outside: the fund's income (``fund``
    counts it as that source's). Without it the fund could only spend what it never had."""
    if source_code not in FUND_SOURCES:
        raise Invalid("No fund source %(code)s.", field="source", code=source_code)
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise Invalid("The amount must be a positive number of fen.", field="amount")
    return post(reason, [(contributions_account(), -amount_fen),
                         (fund_account(source_code), amount_fen)], Cause("receive"), now=now)


def balance(account: LedgerAccount) -> int:
    """What the account holds: the sum of its entries (PostgreSQL sums BIGINT as NUMERIC).

    Remembered for accounts looked up by ``remember_accounts`` (or opened) in this unit of
    work, where ``post`` adds every posting to it; summed in SQL otherwise.
    """
    remembered_balance = remembered("ledger_balances").get(account.code)
    if remembered_balance is not None:
        return remembered_balance
    db.session.flush()
    return int(db.session.execute(
        db.select(db.func.coalesce(db.func.sum(LedgerEntry.amount_fen), 0))
        .where(LedgerEntry.account_id == account.id)).scalar_one())


def merge(lines: Iterable[tuple[K, int]]) -> dict[K, int]:
    """The lines of one posting merged per account, zero lines dropped, in first-seen order.

    Refused, as ``Invalid``, unless every amount is whole fen, they balance, and something moves.
    """
    merged: dict[K, int] = {}
    for account, amount in lines:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise Invalid("Ledger amounts are whole fen.")
        merged[account] = merged.get(account, 0) + amount
    merged = {account: amount for account, amount in merged.items() if amount}
    if sum(merged.values()) != 0:
        raise Invalid("The posting does not balance: it is off by %(off)s fen.",
                      off=sum(merged.values()))
    if not merged:
        raise Invalid("The posting moves no money.")
    return merged


def refuse_overdraft(code: str, held: int, amount: int) -> None:
    """An account holding other people's money (commitments, escrow) is never overdrawn."""
    if held + amount < 0:
        raise Conflict("%(account)s holds %(held)s fen, less than the %(amount)s fen "
                       "to take from it.", account=code, held=held, amount=-amount,
                       rule="no_overdraft")


def post(reason: str, lines: Sequence[Line], cause: Cause, *, now: datetime,
         reverses: LedgerTransaction | None = None, flush: bool = True) -> LedgerTransaction:
    """Add one balanced transaction; refuse it, changing nothing, if it does not balance.

    Lines on the same account are merged and zero lines dropped. An account that holds other
    people's money (commitments, escrow) may never be overdrawn. The transaction is flushed,
    so it has its id, unless ``flush=False``: a caller that needs no id (``money.settle``,
    thousands of times in one sweep) lets the unit of work write it with the rest.
    """
    merged = merge(lines)  # by the account itself: one opened now has no id
    for account, amount in merged.items():
        if account.kind in HOLDING_KINDS and amount < 0:
            refuse_overdraft(account.code, balance(account), amount)
    if reverses is not None and reverses.id is None:
        db.session.flush()  # the original was posted in this unit of work: it needs its id
    transaction = LedgerTransaction(
        reason=reason, trigger=cause.trigger, project_id=cause.project_id,
        subscription_id=cause.subscription_id, milestone_id=cause.milestone_id, created_at=now,
        reverses_id=reverses.id if reverses else None,
        entries=[LedgerEntry(account=account, amount_fen=amount)
                 for account, amount in merged.items()])
    db.session.add(transaction)
    balances = remembered("ledger_balances")
    for account, amount in merged.items():
        if account.code in balances:
            balances[account.code] += amount
    if flush:
        db.session.flush()
    return transaction


def reverse(original: LedgerTransaction, reason: str, *, now: datetime) -> LedgerTransaction:
    """The correction of a posting: the same entries with opposite signs."""
    return post(reason, [(e.account, -e.amount_fen) for e in original.entries],
                Cause(f"reverse:{original.trigger}", original.project_id,
                      original.subscription_id, original.milestone_id), now=now,
                reverses=original)


def transactions_of(project: Project) -> Iterable[LedgerTransaction]:
    """A project's money trail, oldest first."""
    return db.session.execute(
        db.select(LedgerTransaction).where(LedgerTransaction.project_id == project.id)
        .order_by(LedgerTransaction.id)).scalars()
