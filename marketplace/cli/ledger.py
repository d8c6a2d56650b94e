"""``flask ledger``: operators' checks of the development fund's ledger."""

from __future__ import annotations

import click

ledger_cli = click.Group("ledger", help="The development fund's double-entry ledger.")


@ledger_cli.command("verify")
def ledger_verify() -> None:
    """Check every transaction balances and every account agrees; exit 1 at the first fault.

    Then print the fund's totals in fen, one ``kind code fen`` line each: the figures /fund,
    the dashboard and their downloads must show.
    """
    from marketplace.services.finance.fund import fund_figures
    from marketplace.services.finance.ledger_verify import discrepancies

    first = next(discrepancies(), None)
    if first is not None:
        raise click.ClickException(f"Ledger discrepancy: {first}")
    click.echo("Ledger verified: every transaction balances.")
    fund = fund_figures()
    for line in fund.income:
        click.echo(f"income {line.code} {line.fen}")
    click.echo(f"income total {fund.income_fen}")
    for line in fund.spending:
        click.echo(f"spending {line.code} {line.fen}")
    click.echo(f"spending total {fund.spending_fen}")
    click.echo(f"held fund {fund.held_fen} (income less spending)")


@ledger_cli.command("export")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="CSV text, or an Excel workbook with the same columns.")
@click.option("--csv", "as_csv", is_flag=True, help="The same as --format csv.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write; standard output by default.")
def ledger_export(kind: str, as_csv: bool, output: str) -> None:
    """Write every ledger entry with its transaction and account, oldest first."""
    from marketplace.cli.progress import tracked
    from marketplace.services.record.transparency import (
        ledger_csv,
        ledger_entries,
        ledger_rows,
        ledger_xlsx,
    )

    rows = tracked(ledger_rows(), ledger_entries(), "Ledger")
    if as_csv or kind == "csv":
        text = ledger_csv(rows)
        with click.open_file(output, "w", encoding="utf-8") as out:
            out.write(text)
        return
    workbook = ledger_xlsx(rows)
    with click.open_file(output, "wb") as out:
        out.write(workbook)
