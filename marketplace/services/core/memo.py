"""Values read from the database, kept per worker process until the database changes.

For aggregates many requests share (the listing's headline figures, filter choices and match
counts): reading them costs a scan of many projects, checking that nothing changed costs one
trivial statement. The check is what the database itself says it can see, not a counter the product
maintains, so no writer can forget it: a move, a subscription, a catalog load from another
process, a test factory and hand-written SQL all invalidate alike.

Why not the newest id of projects, audit events and ledger transactions: ids are handed out
when rows are inserted, not when they commit, so a transaction holding id 100 that commits
after another's 101 leaves the newest id unchanged while the data changed (two enterprises
subscribing at once); and a catalog load writes neither.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import text

from marketplace.extensions import db

T = TypeVar("T")
MAX_VALUES = 1024  # per process; a value is a few hundred bytes
_MISSING = object()
_connections = itertools.count(1)  # names SQLite connections: their versions are per connection


def database_version() -> Hashable | None:
    """What the current transaction can see, in one round trip; None: nothing may be kept.

    PostgreSQL: the snapshot (oldest running transaction, next transaction, those in between
    still running). Equal snapshots see exactly the same committed rows in every table: a row
    becomes visible only when its transaction ends, and every transaction that ends changes
    the snapshots taken after it. Any commit on the server, in any database, changes it: kept
    values are read again more often than needed, never less. A transaction that wrote sees
    its own uncommitted rows, which may yet be rolled back: None.
    SQLite: this connection's count of changed rows with the version that changes when another
    connection commits; None inside a transaction that wrote.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        snapshot, wrote = connection.execute(text(
            "SELECT pg_current_snapshot()::text, "
            "pg_current_xact_id_if_assigned() IS NOT NULL")).one()
        return None if wrote else snapshot
    raw: Any = connection.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection) or raw.in_transaction:
        return None
    info = connection.connection.info
    if "memo_connection" not in info:
        info["memo_connection"] = next(_connections)
    changes, version = connection.execute(text(
        "SELECT total_changes(), data_version FROM pragma_data_version()")).one()
    return info["memo_connection"], changes, version


class Kept:
    """This process's values read at one version of the database."""

    def __init__(self, version: Hashable | None, values: dict[Hashable, Any]) -> None:
        self.version = version
        self._values = values

    def get(self, name: Hashable, read: Callable[[], T]) -> T:
        """``read()``'s value, from memory if it was read at this version before.

        The value must be immutable and hold no ORM rows: it outlives the session.
        """
        if (value := self._values.get(name, _MISSING)) is not _MISSING:
            return value
        value = read()
        if self.version is not None:
            if len(self._values) >= MAX_VALUES:  # free-text searches must not grow it forever
                self._values.clear()
            self._values[name] = value
        return value


def kept() -> Kept:
    """The values kept for the database as it is now: one statement to ask, then any number
    of values. Ask before reading them and write nothing in between: the version is taken
    first, so a commit meanwhile makes a kept value look older than it is (read again next
    time), never newer."""
    version = database_version()
    store: dict[str, Any] = current_app.extensions.setdefault("memo", {})
    if version is None:
        return Kept(None, {})
    if store.get("version") != version:  # whatever was kept is from an older database
        store.update(version=version, values={})
    return Kept(version, store["values"])
