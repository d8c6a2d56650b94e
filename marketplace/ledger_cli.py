"""``flask ledger``: operators' checks of the development fund's ledger."""

from __future__ import annotations

import click

ledger_cli = click.Group("ledger", help="The development fund's double-entry ledger.")


@ledger_cli.command("verify")
def ledger_verify() -> None:
    """Check every transaction balances and every account agrees; exit 1 at the first fault."""
    from marketplace.services.ledger_verify import discrepancies

    first = next(discrepancies(), None)
    if first is not None:
        raise click.ClickException(f"Ledger discrepancy: {first}")
    click.echo("Ledger verified: every transaction balances.")


@ledger_cli.command("export")
@click.option("--csv", "as_csv", is_flag=True, default=True, help="CSV (the only format).")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write; standard output by default.")
def ledger_export(as_csv: bool, output: click.utils.LazyFile) -> None:
    """Write every ledger entry with its transaction and account, oldest first, as CSV."""
    from marketplace.services.transparency import ledger_csv

    output.write(ledger_csv())
