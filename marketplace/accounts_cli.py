"""``flask accounts create``: evaluator and administrator accounts are made by an operator."""

from __future__ import annotations

import click

from marketplace.extensions import db
from marketplace.models import Account, Organization, OrgStatus, Role

accounts_cli = click.Group("accounts", help="People's accounts.")


@accounts_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--email", required=True)
@click.option("--name", required=True, help="The person's name.")
@click.option("--organization", help="Organization name (default: the person's name).")
@click.password_option(help="Asked for when not given.")
def create(role: str, email: str, name: str, organization: str | None, password: str) -> None:
    """An approved account; joins the organization of that name and role if it exists."""
    email = email.strip().lower()
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    if db.session.execute(db.select(Account.id).where(Account.email == email)).first():
        raise click.ClickException(f"An account with e-mail {email} already exists.")
    org_name = (organization or name).strip()
    org = db.session.execute(
        db.select(Organization).where(Organization.name == org_name,
                                      Organization.role == Role(role))).scalars().first()
    if org is None:
        org = Organization(name=org_name, role=Role(role), status=OrgStatus.APPROVED,
                           contact_name=name)
    account = Account(email=email, name=name, organization=org)
    account.set_password(password)
    db.session.add(account)
    db.session.commit()
    click.echo(f"Created {role} account {email} in {org.name}.")
