"""``flask audit verify`` and ``flask export ocds``: the public record, checked and published."""

from __future__ import annotations

import json
from pathlib import Path

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


export_cli = click.Group("export", help="Open data exports.")


@export_cli.command("ocds")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("ocds"), show_default=True, help="Directory for the JSON files.")
def export_ocds(out: Path) -> None:
    """Write every project as an OCDS 1.1 release package, one <ocid>.json file each."""
    from marketplace.clock import utcnow
    from marketplace.extensions import db
    from marketplace.models import Project
    from marketplace.ocds import ocid, release_package

    out.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    for project in projects:
        name = f"{ocid(project)}.json"
        package = release_package(project, uri=name, now=now)
        (out / name).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    click.echo(f"Wrote {len(projects)} release packages to {out}.")
