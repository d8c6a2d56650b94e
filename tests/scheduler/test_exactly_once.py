"""Each deadline is applied exactly once: across racing schedulers and across a restart."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Notification
from scheduler.jobs import ACTOR, run_due
from scheduler.process import JOB_DEFAULTS, add_jobs
from tests.factories import at, gen_cast, gen_project


def scheduler_moves() -> Counter[tuple[int, str]]:
    rows = db.session.execute(
        db.select(AuditEvent.project_id, AuditEvent.trigger).filter_by(actor=ACTOR)).all()
    return Counter((project_id, trigger) for project_id, trigger in rows)


@pytest.mark.postgres
def test_two_sweeps_racing_in_threads_apply_each_deadline_once(app: Flask) -> None:
    cast = gen_cast()
    projects = [gen_project(cast, State.PUBLICATION) for _ in range(3)]
    before = scheduler_moves()
    db.session.commit()
    start = threading.Barrier(2)
    results: list[dict[int, list[str]]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                results.append(run_due(at(20)))
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(results) == 2
    assert sorted(pid for result in results for pid in result) == sorted(p.id for p in projects)
    db.session.expire_all()
    applied = scheduler_moves() - before
    assert applied == Counter({(p.id, t): 1 for p in projects
                               for t in ("open_subscription", "fail_funding")})
    assert all(p.state is State.UNFUNDED for p in projects)


def test_a_restart_across_a_deadline_catches_up_exactly_once(app: Flask) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    assert run_due(at(10)) == {}
    # The scheduler is down from day 10 to day 40, past the subscription deadline (day 16).
    assert run_due(at(40)) == {project.id: ["fail_funding"]}
    assert run_due(at(40)) == {} and run_due(at(90)) == {}

    assert scheduler_moves()[(project.id, "fail_funding")] == 1
    event = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="fail_funding")).scalar_one()
    assert event.at == at(40)  # applied when the clock came back, not back-dated
    notes = db.session.execute(db.select(Notification).filter_by(
        project_id=project.id)).scalars().all()
    assert [n.kind for n in notes] == ["project_unfunded"]


def test_the_process_runs_a_missed_job_once_not_once_per_missed_tick() -> None:
    scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone="UTC")
    add_jobs(scheduler, 30)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"sweep", "send_mail", "anchor_audit"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time is None  # however late, it still runs (once)
