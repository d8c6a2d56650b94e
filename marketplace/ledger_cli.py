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
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="CSV text, or an Excel workbook with the same columns.")
@click.option("--csv", "as_csv", is_flag=True, help="The same as --format csv.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write; standard output by default.")
def ledger_export(kind: str, as_csv: bool, output: str) -> None:
    """Write every ledger entry with its transaction and account, oldest first."""
    from marketplace.services.transparency import ledger_csv, ledger_xlsx

    if as_csv or kind == "csv":
        with click.open_file(output, "w", encoding="utf-8") as out:
            out.write(ledger_csv())
        return
    with click.open_file(output, "wb") as out:
        out.write(ledger_xlsx())
