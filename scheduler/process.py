"""The scheduler process: APScheduler with its job store in the product's own database."""

from __future__ import annotations

import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from marketplace.clock import utcnow

log = logging.getLogger(__name__)
_app: Flask | None = None


def sweep() -> None:
    """The periodic job; module-level so the job store can name it."""
    from scheduler.jobs import run_due

    assert _app is not None, "the scheduler process sets the app before starting"
    with _app.app_context():
        run_due(utcnow())


def build(app: Flask) -> BlockingScheduler:
    """One sweep job, coalesced: a scheduler that was down catches up once, not per tick."""
    global _app
    _app = app
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone="UTC",
    )
    scheduler.add_job(sweep, "interval", id="sweep", replace_existing=True,
                      seconds=app.config["SCHEDULER_INTERVAL_SECONDS"], next_run_time=utcnow())
    return scheduler
