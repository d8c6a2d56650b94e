"""``flask`` commands for operators: catalog, demo data, lifecycle diagram, first start."""

from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade

from catalog import CatalogError
from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.models import Project

catalog_cli = click.Group("catalog", help="The service catalog and evaluation indicators.")
demo_cli = click.Group("demo", help="Demo data for trying the product.")
lifecycle_cli = click.Group("lifecycle", help="The project lifecycle.")


@catalog_cli.command("load")
def catalog_load() -> None:
    """Validate catalog/ and load it (safe to run again)."""
    from marketplace.services.packaging.catalog_sync import load_catalog

    try:
        counts = load_catalog()
    except CatalogError as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))


@demo_cli.command("seed")
def demo_seed() -> None:
    """Demo stations, accounts of every role and projects in every state."""
    from marketplace.demo import seed

    click.echo(seed())


@demo_cli.command("generate")
@click.option("--projects", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--subscriptions", type=click.IntRange(0), default=10000, show_default=True)
@click.option("--seed", type=int, default=2013, show_default=True)
def demo_generate(projects: int, subscriptions: int, seed: int) -> None:
    """Bulk data for load tests: many projects in every stage over ten years."""
    from marketplace.cli.progress import bar
    from marketplace.generate import generate

    # about: the subscriptions made follow the projects' funding, near the number asked
    with bar(projects + subscriptions, "Generating") as advance:
        counts = generate(projects, subscriptions, seed=seed, advance=advance)
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))


@lifecycle_cli.command("diagram")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
def lifecycle_diagram(fmt: str) -> None:
    """Print the state machine, drawn from the lifecycle table."""
    click.echo(lifecycle.diagram(fmt), nl=False)


@click.command("bootstrap")
def bootstrap() -> None:
    """Migrate the database; load the catalog; seed demo data the first time only."""
    from marketplace.demo import seed
    from marketplace.services.packaging.catalog_sync import load_catalog

    upgrade()
    load_catalog()
    if db.session.execute(db.select(Project.id).limit(1)).first() is None:
        click.echo(seed())
    else:
        click.echo("Database ready; existing data kept.")


def register(app: Flask) -> None:
    from marketplace.cli.accounts import accounts_cli
    from marketplace.cli.ledger import ledger_cli
    from marketplace.cli.oversight import panel_cli, stations_cli
    from marketplace.cli.records import audit_cli, export_cli
    from scheduler.cli import scheduler_cli

    for command in (catalog_cli, demo_cli, lifecycle_cli, bootstrap, scheduler_cli, audit_cli,
                    export_cli, ledger_cli, accounts_cli, stations_cli, panel_cli):
        app.cli.add_command(command)
