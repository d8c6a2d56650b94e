"""What one unit of work has already looked up, kept on the session until it ends.

A sweep moves hundreds of projects in one transaction; each move reads ledger accounts,
balances and recipients that the next move reads again. ``remembered(name)`` is a dict that
lives as long as the current transaction: its end (commit, rollback or close, a savepoint's
too) forgets it, so nothing remembered outlives the rows it was read from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.event import listens_for
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from marketplace.extensions import db
from marketplace.models import Account, Project
from marketplace.services.core import writelock
from marketplace.services.core.errors import Busy, Conflict, NotFound

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


Actor = Account | str  # an account, or a system actor such as "scheduler"


CHANGED_MEANWHILE = "Someone else changed this project at the same time; reload and try again."


BUSY = "Others are saving changes at this moment; nothing was saved. Try again shortly."


IN_UNIT = "marketplace_in_unit"  # session.info: a unit of work is open on this session


def actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, Account) else actor


@contextmanager
def atomic() -> Iterator[None]:
    """One unit of work: commit on success; on any error roll everything back and re-raise.

    It holds the write lock before it reads what it checks (``writelock``): on SQLite it
    begins with the database's write lock, on PostgreSQL the services lock their rows. A lock
    waited for too long is ``Busy`` (503), never a crash. A unit opened inside another is part
    of it: the outer one commits.
    """
    session = db.session()
    if session.info.get(IN_UNIT):
        yield
        return
    session.info[IN_UNIT] = True
    try:
        writelock.begin_unit(session)
        yield
        session.commit()
    except StaleDataError as stale:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE, rule="unchanged_since_read") from stale
    except OperationalError as refused:
        session.rollback()
        if writelock.gave_up(refused):
            raise Busy(BUSY) from refused
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(IN_UNIT, None)


def lock_project(project_id: int) -> Project:
    """Load the project with a row lock (PostgreSQL; on SQLite the unit holds the database's
    write lock), fresh from the database."""
    project = db.session.execute(
        db.select(Project)
        .where(Project.id == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if project is None:
        raise NotFound("No project %(id)s.", id=project_id)
    return project
