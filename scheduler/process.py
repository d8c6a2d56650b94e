"""The scheduler process: APScheduler with its job store in the product's own database."""

from __future__ import annotations

import logging
import time

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from marketplace.clock import current_time, utcnow
from scheduler.leader import LeaderLock, lead, leader_lock

log = logging.getLogger(__name__)
_app: Flask | None = None
# However late a job is (the process was down), it runs once: missed ticks are coalesced.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def sweep() -> None:
    """The periodic job; module-level so the job store can name it."""
    from marketplace.services.packaging.naming import expire_naming_rights
    from marketplace.services.reports.county_reports import remind_due
    from scheduler.jobs import run_due
    from scheduler.reminders import send_reminders

    assert _app is not None, "the scheduler process sets the app before starting"
    with _app.app_context():
        now = current_time()  # the clock the pages use: one time for the whole sweep
        run_due(now)
        remind_due(now)  # county progress reports that fell due: one reminder each
        expire_naming_rights(now)  # a station's sponsor name ends when its year is over
        send_reminders(now)  # milestones, progress reports, the panel: one notice each


def send_mail() -> None:
    """Send the e-mail outbox with the configured sender (the log unless SMTP is set)."""
    from marketplace.mail import sender_from_config
    from marketplace.services.record.outbox import send_pending

    assert _app is not None, "the scheduler process sets the app before starting"
    with _app.app_context():
        send_pending(sender_from_config(_app.config), current_time())


def anchor_audit() -> None:
    """Append the audit chain's head to the anchor log once a day (copy the log off-site)."""
    from pathlib import Path

    from marketplace.services.record.anchors import anchor

    assert _app is not None, "the scheduler process sets the app before starting"
    with _app.app_context():
        anchor(Path(_app.config["AUDIT_ANCHOR_LOG"]), current_time())


def job_store(app: Flask) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])


def build(app: Flask) -> BlockingScheduler:
    """The sweep and mail jobs, coalesced: a scheduler that was down catches up once."""
    global _app
    _app = app
    scheduler = BlockingScheduler(
        jobstores={"default": job_store(app)},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    add_jobs(scheduler, app.config["SCHEDULER_INTERVAL_SECONDS"])
    return scheduler


def add_jobs(scheduler: BaseScheduler, interval: int) -> None:
    """The process's jobs, each with a fixed id so a restart replaces rather than duplicates."""
    scheduler.add_job(sweep, "interval", id="sweep", replace_existing=True,
                      seconds=interval, next_run_time=utcnow())
    scheduler.add_job(send_mail, "interval", id="send_mail", replace_existing=True,
                      seconds=interval, next_run_time=utcnow())
    scheduler.add_job(anchor_audit, "interval", id="anchor_audit", replace_existing=True,
                      days=1, next_run_time=utcnow())


def run(app: Flask) -> None:
    """Stand by until this process holds the leader lock, then run the jobs until stopped.

    Leadership is checked every standby interval on a thread of its own (a long sweep does
    not delay it): if the lock is lost (the database restarted and dropped its connection),
    no job starts here after that interval and the process stands by again. A sweep already
    under way finishes; its rows are claimed with SKIP LOCKED, so an overlap moves nothing
    twice.
    """
    lock = leader_lock(app)
    standby = app.config["SCHEDULER_STANDBY_SECONDS"]
    try:
        while True:
            lead(lock, standby, wait=time.sleep)
            scheduler = build(app)
            scheduler.add_jobstore(MemoryJobStore(), "process")
            scheduler.add_executor(ThreadPoolExecutor(1), "watch")
            scheduler.add_job(watch_leadership, "interval", args=[lock, scheduler],
                              id="leadership", jobstore="process", executor="watch",
                              seconds=standby)
            scheduler.start()  # blocks until the watch shuts it down, or Ctrl-C
            log.error("Lost the leader lock: the jobs are stopped; standing by again.")
    finally:
        lock.release()


def watch_leadership(lock: LeaderLock, scheduler: BaseScheduler) -> None:
    """Stop the jobs as soon as this process no longer holds the leader lock."""
    if not lock.still_held():
        scheduler.shutdown(wait=False)
