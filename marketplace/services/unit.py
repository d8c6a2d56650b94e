"""What one unit of work has already looked up, kept on the session until it ends.

A sweep moves hundreds of projects in one transaction; each move reads ledger accounts,
balances and recipients that the next move reads again. ``remembered(name)`` is a dict that
lives as long as the current transaction: its end (commit, rollback or close, a savepoint's
too) forgets it, so nothing remembered outlives the rows it was read from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session, SessionTransaction

from marketplace.extensions import db

_KEY = "unit_of_work"


def remembered(name: str, session: Session | None = None) -> dict[Any, Any]:
    """The current transaction's dict called ``name``, empty at first."""
    info = (session or db.session()).info
    return info.setdefault(_KEY, {}).setdefault(name, {})


@listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """The end of the transaction or of a savepoint (re-reading is cheap, a stale memory is
    not); each flush's own inner transaction is no end."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KEY, None)
