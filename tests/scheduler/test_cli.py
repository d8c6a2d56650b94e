"""Operator commands: preview the coming moves without making them; list the scheduled jobs."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import func

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Notification, Project
from marketplace.services.funding import subscribe
from scheduler.process import add_jobs, job_store
from tests.factories import at, gen_cast, gen_project


def snapshot() -> tuple:
    rows = db.session.execute(
        db.select(Project.id, Project.state, Project.next_check_at, Project.version,
                  Project.committed_fen).order_by(Project.id)).all()
    counts = [db.session.scalar(db.select(func.count()).select_from(m))
              for m in (AuditEvent, Notification)]
    return tuple(rows), tuple(counts)


def test_preview_lists_the_coming_moves_and_changes_nothing(app, runner) -> None:
    cast = gen_cast()
    published = gen_project(cast, State.PUBLICATION)
    funded = gen_project(cast, State.SUBSCRIPTION)
    subscribe(funded.id, funded.funding_minimum_fen - funded.committed_fen,
              actor=cast.enterprises[1], now=at(5))
    before = snapshot()

    result = runner.invoke(args=["scheduler", "preview", "--days", "20",
                                 "--at", at(1).isoformat()])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{at(2):%Y-%m-%d %H:%M}  project {published.id}")
    assert "open_subscription (publication → subscription)" in lines[0]
    at_close = {line.split(": ")[-1] for line in lines[1:3]}
    assert at_close == {"close_subscription (subscription → tendering)",
                        "fail_funding (subscription → unfunded)"}
    assert f"project {funded.id} 助餐服务包: close_subscription" in result.output
    assert any(line.startswith("3 move(s) due") for line in lines)
    db.session.expire_all()
    assert snapshot() == before


def test_preview_stops_at_the_horizon(app, runner) -> None:
    cast = gen_cast()
    gen_project(cast, State.PUBLICATION)
    result = runner.invoke(args=["scheduler", "preview", "--days", "5",
                                 "--at", at(1).isoformat()])
    assert "open_subscription" in result.output and "fail_funding" not in result.output
    assert any(line.startswith("1 move(s) due") for line in result.output.splitlines())


def test_jobs_lists_what_the_scheduler_process_stored(app: Flask, runner, tmp_path) -> None:
    # The job store gets its own throw-away database: its engine is not the product's pool.
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    result = runner.invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0 and result.output.strip().endswith("0 job(s).")

    scheduler = BackgroundScheduler(jobstores={"default": job_store(app)}, timezone="UTC")
    add_jobs(scheduler, 30)
    scheduler.start(paused=True)  # stores the jobs, runs nothing
    scheduler.shutdown()

    result = runner.invoke(args=["scheduler", "jobs"])
    assert "sweep  next run" in result.output and "scheduler.process:sweep" in result.output
    assert "send_mail  next run" in result.output
    assert "anchor_audit  next run" in result.output
    assert result.output.strip().endswith("3 job(s).")
