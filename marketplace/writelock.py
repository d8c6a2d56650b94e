"""A unit of work holds the write lock before it reads what it checks, on either database.

PostgreSQL: the services lock the rows they check (``SELECT … FOR UPDATE``: ``lock_project``,
``credit.lock_enterprise``), and a unit waits at most ``LOCK_WAIT_SECONDS`` for a row lock
(``lock_timeout``). SQLite ignores ``FOR UPDATE`` and its driver, left to itself, begins a
transaction only at the first write, after the checks were read: two withdrawals of the same
credit both passed. Here SQLAlchemy emits BEGIN itself (its documented pysqlite recipe: the
driver's own transaction handling is turned off), a plain deferred BEGIN for reading and
``BEGIN IMMEDIATE``, which takes the database's one write lock at once, for a unit of work
(``begin_unit``). A second writer waits up to ``LOCK_WAIT_SECONDS`` (SQLite's busy timeout);
readers never wait for a writer, nor it for them (write-ahead log).
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
    """SQLite enforces foreign keys, keeps a write-ahead log, and leaves BEGIN to ``_begin``."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # the driver no longer begins nor commits alone
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin(connection: Connection) -> None:
    """Every SQLite transaction starts here: with the write lock for a unit of work."""
    if connection.dialect.name == "sqlite":
        write = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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

    A read transaction the request had open (its snapshot may predate the last write) is
    committed first, which expires what it loaded: objects such as ``current_user`` reload
    inside the unit, under the lock. Changes left pending before the unit are committed
    with it; make them inside the unit.
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
