"""``flask stations`` and ``flask panel``: the administrator's oversight decisions from a shell.

Each command acts as a named administrator account, so the audit trail says who decided.
"""

from __future__ import annotations

import click

from marketplace.clock import current_time
from marketplace.extensions import db
from marketplace.models import Account, StationStatus
from marketplace.services.core.errors import ServiceError

stations_cli = click.Group("stations", help="The Love Stations registry.")
panel_cli = click.Group("panel", help="Evaluation panels.")


def _account(email: str) -> Account:
    account = db.session.execute(
        db.select(Account).where(Account.email == email.strip().lower())
    ).scalar_one_or_none()
    if account is None:
        raise click.ClickException(f"No account {email}.")
    return account


def _run(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return call(*args, **kwargs)
    except ServiceError as error:
        raise click.ClickException(error.message) from error


@stations_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in StationStatus]))
def stations_list(status: str | None) -> None:
    """Stations by county and town, with their status."""
    from marketplace.services.packaging.stations import stations

    for station in stations(StationStatus(status) if status else None):
        waiver = "  needs a waiver" if station.needs_waiver and not station.is_approved else ""
        click.echo(f"{station.id}\t{station.status.value}\t{station.county} {station.town}\t"
                   f"{station.name}\t{station.area_m2} m²{waiver}")


@stations_cli.command("coverage")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for a spreadsheet.")
def stations_coverage(as_csv: bool) -> None:
    """Towns with an approved station, per county, against the plan."""
    from marketplace.services.reports.coverage import coverage_csv, station_coverage

    try:
        coverage = station_coverage()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if as_csv:
        click.echo(coverage_csv(coverage), nl=False)
        return
    for c in coverage.counties:
        plan = "-" if c.planned_towns is None else c.planned_towns
        click.echo(f"{c.county}	{len(c.towns)}/{plan} towns	{c.approved} approved, "
                   f"{c.pending} pending")
    click.echo(f"Total: {coverage.towns_covered}/{coverage.target_towns} towns covered.")


@stations_cli.command("approve")
@click.argument("station_id", type=int)
@click.option("--admin", "email", required=True, help="The deciding administrator's e-mail.")
@click.option("--waiver", default=None, help="Why premises under 30 m² are accepted.")
def stations_approve(station_id: int, email: str, waiver: str | None) -> None:
    """Approve a pending station."""
    from marketplace.services.packaging.stations import approve_station

    station = _run(approve_station, station_id, actor=_account(email), waiver_reason=waiver,
                   now=current_time())
    click.echo(f"Approved station {station.id} {station.name}.")


@stations_cli.command("reject")
@click.argument("station_id", type=int)
@click.option("--admin", "email", required=True, help="The deciding administrator's e-mail.")
@click.option("--reason", required=True)
def stations_reject(station_id: int, email: str, reason: str) -> None:
    """Reject a pending station, saying why."""
    from marketplace.services.packaging.stations import reject_station

    station = _run(reject_station, station_id, actor=_account(email), reason=reason,
                   now=current_time())
    click.echo(f"Rejected station {station.id} {station.name}.")


@panel_cli.command("assign")
@click.argument("project_id", type=int)
@click.argument("evaluators", nargs=-1, required=True)
@click.option("--admin", "email", required=True, help="The appointing administrator's e-mail.")
def panel_assign(project_id: int, evaluators: tuple[str, ...], email: str) -> None:
    """Appoint evaluators (by e-mail) to a project's panel."""
    from marketplace.services.evaluation.panels import assign_panel

    ids = [_account(e).id for e in evaluators]
    added = _run(assign_panel, project_id, ids, actor=_account(email), now=current_time())
    click.echo(f"Panel of project {project_id}: added {len(added)} evaluator(s).")
