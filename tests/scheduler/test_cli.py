"""Operator commands: preview the coming moves without making them; list the scheduled jobs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import func

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Notification, Project
from marketplace.services.core.moves import move
from marketplace.services.subscription.funding import subscribe
from scheduler.process import add_jobs, job_store
from tests.factories import T0, at, gen_cast, gen_project


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


def _z(moment: datetime) -> str:
    return moment.isoformat() + "Z"  # as the API writes times


def test_preview_names_exactly_the_moves_run_once_then_makes(app, runner) -> None:
    cast = gen_cast()
    late = gen_project(cast, State.PACKAGING)
    move(late.id, "submit", actor=cast.community, now=at(0.1))
    move(late.id, "publish", actor=cast.admin, now=at(2.5))  # after its subscription opened
    gen_project(cast, State.PUBLICATION)
    funded = gen_project(cast, State.SUBSCRIPTION)
    subscribe(funded.id, funded.funding_minimum_fen - funded.committed_fen,
              actor=cast.enterprises[1], now=at(2.8))
    gen_project(cast, State.SUBSCRIPTION)
    waiting = gen_project(cast, State.TENDERING, start=T0 - timedelta(days=20))  # bids
    old = gen_project(cast, State.PUBLICATION, start=T0 - timedelta(days=5))
    db.session.execute(db.update(Project).where(Project.id == old.id)
                       .values(next_check_at=None))  # as an older release left it
    db.session.commit()

    preview = runner.invoke(args=["scheduler", "preview", "--at", _z(at(3)), "--days", "30"])
    assert preview.exit_code == 0, preview.output
    planned: dict[int, list[str]] = {}
    for found in re.finditer(r"^\S+ \S+  project (\d+) .*: (\w+) \(", preview.output, re.M):
        planned.setdefault(int(found[1]), []).append(found[2])
    assert f"{at(3):%Y-%m-%d %H:%M}  project {late.id} " in preview.output  # due now
    assert planned[late.id] == planned[old.id] == ["open_subscription", "fail_funding"]
    assert planned[funded.id] == ["close_subscription"] and waiting.id not in planned

    swept = runner.invoke(args=["scheduler", "run-once", "--at", _z(at(33))])
    assert swept.exit_code == 0, swept.output
    made = {int(found[1]): found[2].split(", ")
            for found in re.finditer(r"^project (\d+): (.+)$", swept.output, re.M)}
    assert made == planned
    assert f"{len(made)} project(s) moved." in swept.output


@pytest.mark.parametrize("before, at_opening", [
    ("2026-03-03T08:59:00Z", "2026-03-03T09:00:00Z"),
    ("2026-03-03T16:59:00+08:00", "2026-03-03T17:00:00+08:00"),
    ("2026-03-03T16:59", "2026-03-03T17:00"),  # naive: local time, MARKETPLACE_TIMEZONE
], ids=["Z", "offset", "local"])
def test_run_once_at_takes_the_apis_times_offsets_and_local_times(
        app, runner, before: str, at_opening: str) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    assert project.subscription_opens_at == datetime(2026, 3, 3, 9, 0)  # UTC
    early = runner.invoke(args=["scheduler", "run-once", "--at", before])
    assert early.exit_code == 0, early.output
    assert "0 project(s) moved." in early.output
    on_time = runner.invoke(args=["scheduler", "run-once", "--at", at_opening])
    assert f"project {project.id}: open_subscription" in on_time.output


def test_run_once_refuses_a_time_it_cannot_read(app, runner) -> None:
    cast = gen_cast()
    gen_project(cast, State.PUBLICATION)
    before = snapshot()
    result = runner.invoke(args=["scheduler", "run-once", "--at", "next tuesday"])
    assert result.exit_code == 2
    assert "'next tuesday' is not an ISO-8601 time" in result.output
    assert snapshot() == before
