"""``flask audit verify`` and ``flask export ocds``: the public record, checked and published."""

from __future__ import annotations

import click

audit_cli = click.Group("audit", help="The tamper-evident audit record.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; name the first event changed, removed or inserted."""
    from marketplace.extensions import db
    from marketplace.models import AuditEvent
    from marketplace.services.audit import verify

    broken = verify()
    if broken is not None:
        raise click.ClickException(f"Audit chain broken: {broken.message}.")
    count = db.session.execute(db.select(db.func.count()).select_from(AuditEvent)).scalar_one()
    click.echo(f"Audit chain intact: {count} events verified.")
