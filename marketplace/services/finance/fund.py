"""The development fund's figures in one sign convention, for every page and export.

The ledger keeps each fund account as a pot (an entry is the change in what it holds): a
sponsorship donation raises its source, a match lowers the source it is drawn on, an award
lowers its use. Read account by account the signs flip, which is how ``/fund`` and the
dashboard came to disagree. This module is the one reading of them:

- money entering the fund from outside is **income** of the source it lands on (positive);
- money leaving the fund is **spending** (positive): on the use it left from, or, when it went
  to a project's commitments or escrow (a match, less what the project gave back), on
  venture-philanthropy project investment, whichever source the offer drew on;
- moves between the fund's own accounts are neither.

Every entry on a fund account is counted once, so income − spending is exactly what the fund's
accounts hold in the ledger; ``ledger_verify`` checks it against the accounts' own balances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from marketplace.extensions import db
from marketplace.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.models.ledger import HOLDING_KINDS
from marketplace.services.finance.ledger import FUND_SOURCES, FUND_USES

FUND_KINDS = (AccountKind.FUND_SOURCE, AccountKind.FUND_USE)
VENTURE_INVESTMENT = "fund:use:venture_investment"


@dataclass(frozen=True)
class FundLine:
    code: str  # the fund account's code
    name: str  # the ledger's English name; pages show web/labels.fund_account_name
    fen: int


@dataclass(frozen=True)
class FundFigures:
    """Income per source and spending per use (both positive) and what the fund holds."""

    income: tuple[FundLine, ...]
    spending: tuple[FundLine, ...]
    held_fen: int  # the sum of every fund account's entries

    @property
    def income_fen(self) -> int:
        return sum(line.fen for line in self.income)

    @property
    def spending_fen(self) -> int:
        return sum(line.fen for line in self.spending)

    @property
    def reconciles(self) -> bool:
        return self.income_fen - self.spending_fen == self.held_fen


@dataclass(frozen=True)
class FundMonth:
    month: str  # YYYY-MM
    figures: FundFigures  # from the first posting to the end of that month


@dataclass(frozen=True)
class _Flow:
    at: datetime
    income: dict[str, int]
    spending: dict[str, int]
    held: int


def _flows() -> Iterator[_Flow]:
    """Each transaction that touches the fund, with what it brought in, spent and left held."""
    touching = (db.select(LedgerEntry.transaction_id)
                .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
                .where(LedgerAccount.kind.in_(FUND_KINDS)))
    rows = db.session.execute(
        db.select(LedgerTransaction.id, LedgerTransaction.created_at, LedgerAccount.code,
                  LedgerAccount.kind, LedgerEntry.amount_fen)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerTransaction.id.in_(touching))
        .order_by(LedgerTransaction.created_at, LedgerTransaction.id, LedgerEntry.id))
    for _, entries in groupby(rows, key=lambda row: row[0]):
        entries = list(entries)
        fund = [(code, kind, int(fen)) for _, _, code, kind, fen in entries if kind in FUND_KINDS]
        others = {kind for *_, kind, _ in entries if kind not in FUND_KINDS}
        income: dict[str, int] = {}
        spending: dict[str, int] = {}
        if others:  # a move between the fund's own accounts is neither income nor spending
            for code, kind, fen in fund:
                if kind is AccountKind.FUND_USE:
                    spending[code] = spending.get(code, 0) - fen
                elif others & HOLDING_KINDS:
                    spending[VENTURE_INVESTMENT] = spending.get(VENTURE_INVESTMENT, 0) - fen
                else:
                    income[code] = income.get(code, 0) + fen
        yield _Flow(entries[0][1], income, spending, sum(fen for *_, fen in fund))


def _figures(income: dict[str, int], spending: dict[str, int], held: int) -> FundFigures:
    return FundFigures(
        income=tuple(FundLine(code, name, income.get(code, 0))
                     for code, name in FUND_SOURCES.items()),
        spending=tuple(FundLine(code, name, spending.get(code, 0))
                       for code, name in FUND_USES.items()),
        held_fen=held)


def fund_by_month() -> list[FundMonth]:
    """The fund's figures at the end of every month in which its money moved, oldest first."""
    income: dict[str, int] = {}
    spending: dict[str, int] = {}
    held = 0
    months: list[FundMonth] = []
    for month, flows in groupby(_flows(), key=lambda flow: flow.at.strftime("%Y-%m")):
        for flow in flows:
            for code, fen in flow.income.items():
                income[code] = income.get(code, 0) + fen
            for code, fen in flow.spending.items():
                spending[code] = spending.get(code, 0) + fen
            held += flow.held
        months.append(FundMonth(month, _figures(income, spending, held)))
    return months


def fund_figures(months: list[FundMonth] | None = None) -> FundFigures:
    """The fund's figures now: what /fund, the dashboard and their downloads all show (the
    last of ``months`` when the caller has read them already)."""
    months = fund_by_month() if months is None else months
    return months[-1].figures if months else _figures({}, {}, 0)
