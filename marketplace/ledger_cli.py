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
