"""``flask scheduler`` commands: run the clock, or one sweep by hand."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app

from marketplace.clock import utcnow

scheduler_cli = click.Group("scheduler", help="The clock that moves projects at deadlines.")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler process until stopped."""
    from scheduler.process import build

    scheduler = build(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("Scheduler running; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@scheduler_cli.command("run-once")
@click.option("--at", "at", type=click.DateTime(), default=None,
              help="Sweep as of this UTC time (ISO format); default now.")
def run_once(at: datetime | None) -> None:
    """Run one sweep and print what moved."""
    from scheduler.jobs import run_due

    moved = run_due(at or utcnow())
    for project_id, triggers in moved.items():
        click.echo(f"project {project_id}: {', '.join(triggers)}")
    click.echo(f"{len(moved)} project(s) moved.")
