"""``flask scheduler`` commands: run the clock, or one sweep by hand."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app

from marketplace.clock import current_time

scheduler_cli = click.Group("scheduler", help="The clock that moves projects at deadlines.")


class Moment(click.ParamType):
    """An ISO-8601 time for ``--at``, returned as the naive UTC the database stores.

    With ``Z`` or an offset (the API's own ``2026-12-07T04:00:00Z``, or ``+08:00``) it means
    what it says; without one it is a local time in the deployment's zone
    (``MARKETPLACE_TIMEZONE``), the zone the pages show times in.
    """

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time, such as 2026-12-07T04:00:00Z, "
                      "2026-12-07T12:00:00+08:00 or 2026-12-07T12:00 (local time).", param, ctx)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
        return parsed.astimezone(UTC).replace(tzinfo=None)


AT_HELP = ("ISO-8601 time, with Z or an offset (2026-12-07T04:00:00Z, +08:00); without one, "
           "local time in MARKETPLACE_TIMEZONE.")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler process until stopped; a second one stands by until the first dies."""
    from scheduler.process import run as run_process

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    click.echo("Scheduler starting; Ctrl-C stops it.")
    try:
        run_process(current_app._get_current_object())  # type: ignore[attr-defined]
    except (KeyboardInterrupt, SystemExit):
        pass


@scheduler_cli.command("status")
def status() -> None:
    """Say which scheduler process leads; exit 1 when none does (for monitoring)."""
    from scheduler.leader import leader_lock

    lock = leader_lock(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        holder = lock.holder()
    finally:
        lock.release()
    if holder is None:
        raise click.ClickException("No scheduler leads: start `flask scheduler run`.")
    click.echo(f"Leader: {holder}")


@scheduler_cli.command("run-once")
@click.option("--at", "at", type=Moment(), default=None,
              help=f"Sweep as of this time; default the platform's clock. {AT_HELP}")
def run_once(at: datetime | None) -> None:
    """Run one sweep and print what moved and which notices went out."""
    from marketplace.services.core.errors import Busy
    from scheduler.jobs import run_due
    from scheduler.reminders import send_reminders

    now = at or current_time()
    moved = run_due(now)
    for project_id, triggers in moved.items():
        click.echo(f"project {project_id}: {', '.join(triggers)}")
    click.echo(f"{len(moved)} project(s) moved.")
    if moved.locked:
        click.echo(f"{len(moved.locked)} project(s) locked, left for the next sweep: "
                   f"{', '.join(map(str, moved.locked))}")
    try:
        sent = send_reminders(now)
    except Busy:
        click.echo("reminders: the database is locked, left for the next sweep")
        return
    for kind, n in sorted(sent.items()):
        click.echo(f"{kind}: {n} sent")


@scheduler_cli.command("preview")
@click.option("--days", type=click.IntRange(min=0), default=7, show_default=True,
              help="How many days ahead to look.")
@click.option("--at", "at", type=Moment(), default=None,
              help=f"Look ahead from this time; default now. {AT_HELP}")
def preview_command(days: int, at: datetime | None) -> None:
    """List the moves and notices the clock would make in the next N days; changes nothing.

    The moves are exactly those ``run-once --at`` the end of the period would make.
    """
    from scheduler.preview import preview
    from scheduler.reminders import upcoming

    start = at or current_time()
    planned = preview(start, start + timedelta(days=days))
    for p in planned:
        click.echo(f"{p.at:%Y-%m-%d %H:%M}  project {p.project_id} {p.title}: "
                   f"{p.trigger} ({p.from_state.value} → {p.to_state.value})")
    click.echo(f"{len(planned)} move(s) due by {start + timedelta(days=days):%Y-%m-%d %H:%M} UTC.")
    notices = upcoming(start, start + timedelta(days=days))
    for n in notices:
        click.echo(f"{n.at:%Y-%m-%d %H:%M}  project {n.project_id} {n.title}: notice {n.kind}")
    click.echo(f"{len(notices)} notice(s) due.")


@scheduler_cli.command("jobs")
def jobs_command() -> None:
    """List the jobs in the scheduler's job store, with their next run time."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from scheduler.process import job_store

    store = job_store(current_app._get_current_object())  # type: ignore[attr-defined]
    store.start(BackgroundScheduler(timezone="UTC"), "default")
    try:
        jobs = store.get_all_jobs()
    finally:
        store.shutdown()
    for job in jobs:
        when = f"{job.next_run_time:%Y-%m-%d %H:%M:%S %Z}" if job.next_run_time else "paused"
        click.echo(f"{job.id}  next run {when}  {job.trigger}  {job.func_ref}")
    click.echo(f"{len(jobs)} job(s).")
