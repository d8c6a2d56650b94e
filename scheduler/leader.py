"""Exactly one active scheduler: a leader lock taken before APScheduler starts its jobs.

On PostgreSQL the lock is a session-level advisory lock held on a connection of its own for
the life of the process: when the process dies its connection drops and the server releases
the lock, so a standby asking for it every few seconds takes over. On SQLite (one machine) an
exclusive ``flock`` on ``instance/scheduler.lock`` does the same: the kernel releases it when
the process dies. Either way, a scheduler that finds the lock taken stands by and runs nothing,
not even APScheduler's job store, which several schedulers must not share.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from flask import Flask
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
# Arbitrary but fixed: every scheduler of a database asks for this same advisory lock key.
LOCK_KEY = 0x4C6F_7665_5363_6864
# pg_locks shows a bigint key as two 32-bit halves.
_KEY_HIGH, _KEY_LOW = LOCK_KEY >> 32, LOCK_KEY & 0xFFFF_FFFF


def identity() -> str:
    """Who this process is, as ``flask scheduler status`` shows the leader."""
    return f"scheduler {socket.gethostname()} pid {os.getpid()}"


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if free; True if this process now holds it."""

    def still_held(self) -> bool:
        """False once the lock is lost (its connection dropped, its file replaced)."""

    def holder(self) -> str | None:
        """Who holds the lock now, or None when no scheduler leads."""

    def release(self) -> None: ...


class AdvisoryLock:
    """``pg_try_advisory_lock`` on a dedicated autocommit connection, so no transaction stays
    open for the life of the process (an idle transaction would hold back vacuum)."""

    def __init__(self, url: str, name: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool,
                                    connect_args={"application_name": name[:63]})
        self.connection: Connection | None = None
        self.held = False

    def _connect(self) -> Connection:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
        return self.connection

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except SQLAlchemyError:
                pass  # already broken: closing is only tidying up
        self.connection, self.held = None, False

    def try_acquire(self) -> bool:
        try:
            self.held = bool(self._connect().execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar_one())
        except SQLAlchemyError as error:  # database away: stand by until it is back
            log.warning("leader lock: database unreachable: %s", error.__class__.__name__)
            self._drop()
        return self.held

    def still_held(self) -> bool:
        if not self.held or self.connection is None:
            return False
        try:  # a session-level lock lives as long as its session: is ours still alive?
            self.connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            self._drop()
            return False
        return True

    def holder(self) -> str | None:
        try:
            row = self._connect().execute(text(
                "SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.classid = :high AND l.objid = :low AND l.objsubid = 1 AND l.granted"),
                {"high": _KEY_HIGH, "low": _KEY_LOW}).first()
        except SQLAlchemyError:
            self._drop()
            return "unknown (database unreachable)"
        if row is None:
            return None
        where = row.client_addr or "local socket"
        return f"{row.application_name or 'unnamed'} (backend {row.pid}, {where})"

    def release(self) -> None:
        if self.held and self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                        {"key": LOCK_KEY})
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
        self._drop()
        self.engine.dispose()


class FileLock:
    """An exclusive ``flock`` on a file: for SQLite, where every scheduler is on one machine."""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name = path, name
        self.file: IO[str] | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.seek(0)
        file.truncate()
        file.write(self.name + "\n")
        file.flush()
        self.file = file
        return True

    def still_held(self) -> bool:
        if self.file is None:
            return False
        try:  # someone deleting the file would let another process lock a new one
            return os.stat(self.path).st_ino == os.fstat(self.file.fileno()).st_ino
        except FileNotFoundError:
            return False

    def holder(self) -> str | None:
        if not self.path.exists():
            return None
        with self.path.open("r", encoding="utf-8") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return file.read().strip() or "unnamed"
            fcntl.flock(file, fcntl.LOCK_UN)
            return None

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def leader_lock(app: Flask) -> LeaderLock:
    """The lock that fits the database: advisory on PostgreSQL, a file lock otherwise."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() == "postgresql":
        return AdvisoryLock(url, identity())
    path = app.config.get("SCHEDULER_LOCK_FILE") or Path(app.instance_path) / "scheduler.lock"
    return FileLock(Path(path), identity())


def lead(lock: LeaderLock, standby_seconds: float,
         wait: Callable[[float], object]) -> None:
    """Return once this process holds the lock; until then stand by, asking every few seconds.

    ``wait`` is how the standby pauses between asks (``time.sleep`` in the process).
    """
    if lock.try_acquire():
        log.info("Leading: this process runs the scheduler's jobs.")
        return
    log.info("Another scheduler leads (%s); standing by, asking again every %ss.",
             lock.holder() or "unknown", standby_seconds)
    while not lock.try_acquire():
        wait(standby_seconds)
    log.info("Leading: the previous leader is gone; this process now runs the scheduler's jobs.")
