"""A unit of work holds the write lock before it reads what it checks, on either database.

PostgreSQL: the services lock the rows they check (``SELECT … FOR UPDATE``: ``lock_project``,
``credit.lock_enterprise``), and a unit waits at most ``LOCK_WAIT_SECONDS`` for a row lock
(``lock_timeout``). SQLite ignores ``FOR UPDATE``, and its driver begins a transaction only at
the first write, after the checks were read: two withdrawals of the same credit both passed.
So on SQLite a unit begins with ``BEGIN IMMEDIATE`` (``begin_unit``), emitted in SQLAlchemy's
"begin" event as its pysqlite recipe does, which takes the database's one write lock before
the first read; a second writer waits up to ``LOCK_WAIT_SECONDS`` (the busy timeout).

Only units do this. Reading is left to the driver, outside any transaction: every statement
sees the latest commit, as under PostgreSQL's READ COMMITTED, so a page never holds a snapshot
nor waits for a writer, and code that reads again after another process wrote (the scheduler,
the tests) sees what it wrote. With the write-ahead log, readers and the one writer never wait
for each other.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

WRITE = "marketplace_write_unit"  # the connection option that makes BEGIN take the write lock
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
GAVE_UP_SQLSTATES = frozenset({"55P03", "40P01", "40001"})


@event.listens_for(Engine, "connect")
def _sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys and keeps a write-ahead log (readers never wait)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin(connection: Connection) -> None:
    """A unit of work on SQLite starts with the write lock; the driver, which sees the
    transaction open, then begins none of its own until the commit."""
    if connection.dialect.name == "sqlite" and connection.get_execution_options().get(WRITE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def engine_options(url: str, options: dict[str, Any], wait_seconds: float) -> dict[str, Any]:
    """The engine options with the longest lock wait: SQLite's busy timeout, PostgreSQL's
    ``lock_timeout``; past it the unit answers ``Busy`` instead of hanging."""
    backend = make_url(url).get_backend_name()
    connect_args = dict(options.get("connect_args", {}))
    if backend == "sqlite":
        connect_args.setdefault("timeout", wait_seconds)
    elif backend == "postgresql" and "options" not in make_url(url).query:
        connect_args.setdefault("options", f"-c lock_timeout={int(wait_seconds * 1000)}")
    return {**options, "connect_args": connect_args}


def begin_unit(session: Session) -> None:
    """Start the session's unit of work; on SQLite with the write lock taken first.

    The session's transaction so far (the request's reads) is committed first, so that the
    unit's connection begins anew; that expires what it loaded: objects such as
    ``current_user`` reload inside the unit, under the lock, rather than being checked as they
    were read before it. Changes left pending before the unit are committed then, not with
    it: make them inside the unit.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE: True})


def gave_up(error: DBAPIError) -> bool:
    """Whether the database refused because a lock was waited for too long (or a deadlock):
    nothing was written, and the same request may succeed a moment later."""
    original = error.orig
    name = getattr(original, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or \
        getattr(original, "sqlstate", None) in GAVE_UP_SQLSTATES
