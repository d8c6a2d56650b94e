"""``flask accounts``: evaluator and administrator accounts are made by an operator, who can
also set a forgotten or leaked password (which ends the account's sessions)."""

from __future__ import annotations

import click

from marketplace.clock import current_time
from marketplace.extensions import db
from marketplace.models import Account, OrgStatus, Role
from marketplace.services.core.errors import ServiceError
from marketplace.services.identity import accounts

accounts_cli = click.Group("accounts", help="People's accounts.")
OPERATOR = "operator (flask accounts)"


@accounts_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--email", required=True)
@click.option("--name", required=True, help="The person's name.")
@click.option("--organization", help="Organization name (default: the person's name).")
@click.password_option(help="Asked for when not given.")
def create(role: str, email: str, name: str, organization: str | None, password: str) -> None:
    """An approved account; joins the organization of that name and role if it exists."""
    draft = accounts.Registration(email=email, name=name, password=password, role=Role(role),
                                  organization=organization or name)
    try:
        account = accounts.register(draft, actor=OPERATOR, now=current_time(),
                                    status=OrgStatus.APPROVED, join=True)
    except ServiceError as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Created {role} account {account.email} in {account.organization.name}.")


@accounts_cli.command("set-password")
@click.argument("email")
@click.password_option(help="Asked for when not given.")
def set_password(email: str, password: str) -> None:
    """A new password for the account; every session it has open ends."""
    account = db.session.execute(db.select(Account).where(
        db.func.lower(Account.email) == accounts.normalized(email))).scalar_one_or_none()
    if account is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    try:
        accounts.change_password(account, password, actor=OPERATOR, now=current_time())
    except ServiceError as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Password changed for {account.email}; its sessions have ended.")
