"""Exactly one active scheduler: real ``flask scheduler run`` processes, one killed mid-run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from marketplace.extensions import db
from scheduler.leader import FileLock
from tests.scheduler.processes import ROOT, Child

LEADS, STANDS_BY, LOST = "Leading", "standing by", "Lost the leader lock"
STANDBY_SECONDS = 0.2
TAKEOVER_BOUND = 5.0  # seconds from the leader's death to the standby leading
START_BOUND = 60.0  # a cold `flask` start on a busy two-core machine


def scheduler_env(url: str, lock_file: Path) -> dict[str, str]:
    return {"MARKETPLACE_DATABASE_URL": url, "MARKETPLACE_SECRET_KEY": "test",
            "MARKETPLACE_SCHEDULER_STANDBY_SECONDS": str(STANDBY_SECONDS),
            "MARKETPLACE_SCHEDULER_INTERVAL": "3600",  # one sweep at start, then quiet
            "MARKETPLACE_SCHEDULER_LOCK_FILE": str(lock_file)}


def status(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flask", "scheduler", "status"], cwd=ROOT,
                          env={**os.environ, **env, "FLASK_APP": "marketplace"},
                          capture_output=True, text=True, timeout=START_BOUND)


def assert_one_leads_and_the_standby_takes_over(env: dict[str, str]) -> None:
    first = Child.flask("scheduler", "run", env=env)
    second: Child | None = None
    try:
        first.wait_for(LEADS, START_BOUND)
        second = Child.flask("scheduler", "run", env=env)
        second.wait_for(STANDS_BY, START_BOUND)
        assert not second.saw(LEADS) and not first.saw(STANDS_BY)
        shown = status(env)
        assert shown.returncode == 0 and f"pid {first.process.pid}" in shown.stdout

        first.kill()
        took = second.wait_for(LEADS, TAKEOVER_BOUND)
        assert took < TAKEOVER_BOUND
        assert f"pid {second.process.pid}" in status(env).stdout
    finally:
        first.kill()
        if second is not None:
            second.kill()
    assert status(env).returncode == 1  # both dead: nobody leads, and monitoring can tell


def test_on_sqlite_a_lock_file_lets_one_scheduler_lead_and_a_standby_take_over(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
    engine = create_engine(url)
    db.metadata.create_all(engine)  # the sweep's tables, without the whole migration history
    engine.dispose()
    assert_one_leads_and_the_standby_takes_over(
        scheduler_env(url, tmp_path / "scheduler.lock"))


@pytest.mark.postgres
def test_on_postgres_an_advisory_lock_lets_one_scheduler_lead_and_a_standby_take_over(
        _schema: dict[str, object], tmp_path: Path) -> None:
    url = str(_schema["SQLALCHEMY_DATABASE_URI"])
    # The file lock must not be what keeps the second one out: each gets its own file.
    env = scheduler_env(url, tmp_path / "unused.lock")
    assert_one_leads_and_the_standby_takes_over(env)


@pytest.mark.postgres
def test_a_leader_whose_lock_connection_drops_stops_its_jobs_and_leads_again(
        _schema: dict[str, object], tmp_path: Path) -> None:
    url = str(_schema["SQLALCHEMY_DATABASE_URI"])
    leader = Child.flask("scheduler", "run", env=scheduler_env(url, tmp_path / "unused.lock"))
    engine = create_engine(url)
    try:
        leader.wait_for(LEADS, START_BOUND)
        with engine.begin() as connection:  # what a database restart does to its connection
            dropped = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"),
                {"name": f"scheduler {socket.gethostname()} pid {leader.process.pid}"[:63]},
            ).scalar_one()
        assert dropped == 1
        leader.wait_for(LOST, TAKEOVER_BOUND)  # its jobs stopped within one standby interval
        leader.wait_for(LEADS, TAKEOVER_BOUND)  # nobody else waits: it takes the lock again
        assert leader.process.poll() is None
    finally:
        leader.kill()
        engine.dispose()


def test_a_file_lock_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    first, second = FileLock(path, "first"), FileLock(path, "second")
    assert first.try_acquire() and not second.try_acquire()
    assert second.holder() == "first" and first.still_held()
    first.release()
    assert second.holder() is None and second.try_acquire() and second.holder() == "second"
    path.unlink()  # a lock file deleted under a leader: another process could lock a new one
    assert not second.still_held()
    second.release()
