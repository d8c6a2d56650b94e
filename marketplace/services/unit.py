"""What one unit of work has already looked up, kept on the session until it ends.

A sweep moves hundreds of projects in one transaction; each move reads ledger accounts,
balances and recipients that the next move reads again. ``remembered(name)`` is a dict that
lives as long as the current transaction: a commit or any rollback (a savepoint's too)
forgets it, so nothing remembered outlives the rows it was read from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session

from marketplace.extensions import db

_KEY = "unit_of_work"


def remembered(name: str, session: Session | None = None) -> dict[Any, Any]:
    """The current transaction's dict called ``name``, empty at first."""
    info = (session or db.session()).info
    return info.setdefault(_KEY, {}).setdefault(name, {})


@listens_for(Session, "after_commit")
@listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_KEY, None)
