"""``flask audit verify``/``replay`` and ``flask export ocds``: the public record, checked and
published."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from scheduler.cli import AT_HELP, Moment

audit_cli = click.Group("audit", help="The tamper-evident audit record.")


def _anchor_log(path: Path | None) -> Path:
    from flask import current_app

    return path or Path(current_app.config["AUDIT_ANCHOR_LOG"])


@audit_cli.command("verify")
@click.option("--anchor", "anchor_file", type=click.Path(dir_okay=False, path_type=Path),
              help="An anchor log copied back from outside: check its events are all there.")
def audit_verify(anchor_file: Path | None) -> None:
    """Recompute the audit chain; name the first event changed, removed or inserted.

    With --anchor, also check every anchored event still exists with the same hash and that
    the record has not shrunk: the chain alone cannot show its newest events were deleted.
    """
    from marketplace.extensions import db
    from marketplace.models import AuditEvent
    from marketplace.services.record.anchors import BadAnchorLog, check_anchors, read_anchors
    from marketplace.services.record.audit import verify

    broken = verify()
    if broken is not None:
        raise click.ClickException(f"Audit chain broken: {broken.message}.")
    count = db.session.execute(db.select(db.func.count()).select_from(AuditEvent)).scalar_one()
    if anchor_file is not None:
        if not anchor_file.exists():
            raise click.ClickException(f"No anchor log at {anchor_file}.")
        try:
            anchors = read_anchors(anchor_file)
        except BadAnchorLog as error:
            raise click.ClickException(f"Anchor log damaged: {error}.") from None
        problems = check_anchors(anchors)
        if problems:
            raise click.ClickException("Audit record does not match its anchors: "
                                       + "; ".join(problems) + ".")
        click.echo(f"Audit chain intact: {count} events verified, "
                   f"{len(anchors)} anchors hold.")
        return
    click.echo(f"Audit chain intact: {count} events verified.")


@audit_cli.command("anchor")
@click.option("--log", "log", type=click.Path(dir_okay=False, path_type=Path),
              help="The anchor log (default: the AUDIT_ANCHOR_LOG setting).")
def audit_anchor(log: Path | None) -> None:
    """Append the chain's head to the anchor log; copy that log somewhere outside."""
    from marketplace.clock import current_time
    from marketplace.services.record.anchors import BadAnchorLog, anchor

    path = _anchor_log(log)
    try:
        current, written = anchor(path, current_time())
    except BadAnchorLog as error:
        raise click.ClickException(f"Anchor log damaged: {error}.") from None
    if current is None:
        click.echo("The audit record is empty: nothing to anchor.")
    elif written:
        click.echo(f"Anchored event #{current.event_id} ({current.count} events) in {path}: "
                   f"{current.hash}")
    else:
        click.echo(f"Event #{current.event_id} is already the last anchor in {path}.")


export_cli = click.Group("export", help="Open data exports.")


@export_cli.command("ocds")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("ocds"), show_default=True, help="Directory for the JSON files.")
def export_ocds(out: Path) -> None:
    """Write every published project as an OCDS 1.1 release package, one <ocid>.json file
    each (bundles still in packaging are not public, so they are left out)."""
    from marketplace.cli.progress import tracked
    from marketplace.clock import current_time
    from marketplace.extensions import db
    from marketplace.models import Project
    from marketplace.ocds import ocid, release_package
    from marketplace.services.core.visibility import visible_clause

    out.mkdir(parents=True, exist_ok=True)
    now = current_time()
    projects = db.session.execute(db.select(Project).where(visible_clause(None))
                                   .order_by(Project.id)).scalars().all()
    for project in tracked(projects, len(projects), "OCDS"):
        name = f"{ocid(project)}.json"
        package = release_package(project, uri=name, now=now)
        (out / name).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    click.echo(f"Wrote {len(projects)} release packages to {out}.")


# How the facts that are tuples read: who won (bid, organization) and for how much.
SHAPES = {"award": "bid {}, organization {}, {} fen", "contract": "bid {}, organization {}, {} fen",
          "evaluation_award": "organization {}, {} fen"}


def _shown(value: object, name: str | None = None) -> str:
    if value is None:
        return "—"
    if name in SHAPES and isinstance(value, tuple):
        return SHAPES[name].format(*value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) or "—"
    if isinstance(value, tuple):
        return " / ".join(map(_shown, value))
    if isinstance(value, list):
        return ", ".join(map(_shown, value)) or "—"
    return str(value)


@audit_cli.command("replay")
@click.argument("project_id", type=int)
@click.option("--until", "until", type=Moment(), default=None,
              help=f"Print the state the events say the project had then. {AT_HELP}")
def audit_replay(project_id: int, until: datetime | None) -> None:
    """Rebuild a project's state from its audit events alone and compare it with the database.

    Exits non-zero when an event contradicts the lifecycle or a fact differs. With --until,
    prints the state at that time from the events up to it (today's rows are not compared).
    """
    from marketplace.extensions import db
    from marketplace.models import Project
    from marketplace.services.record.replay import compare, replay

    project = db.session.get(Project, project_id)
    if project is None:
        raise click.ClickException(f"No project {project_id}.")
    if until is not None:
        replayed = replay(project_id, until)
        click.echo(f"Project {project_id} as of {until:%Y-%m-%d %H:%M} UTC, from "
                   f"{replayed.events} event(s):")
        for name, fact in replayed.facts().items():
            click.echo(f"  {name}: {_shown(fact, name)}")
        problems, differences = replayed.problems, []
    else:
        comparison = compare(project)
        replayed = comparison.replayed
        click.echo(f"Project {project_id}: {replayed.events} event(s) replayed.")
        for name, events, database in comparison.rows:
            if events == database:
                click.echo(f"  {name}: {_shown(events, name)}  (matches)")
            else:
                click.echo(f"  {name}: DIFFERS: events say {_shown(events, name)}, "
                           f"database says {_shown(database, name)}")
        problems, differences = replayed.problems, comparison.differences
    for problem in problems:
        click.echo(f"  contradiction: {problem}")
    if problems or differences:
        what = [*(["the events contradict the lifecycle"] if problems else []),
                *([f"differs in {', '.join(differences)}"] if differences else [])]
        raise click.ClickException(f"Replay of project {project_id}: {'; '.join(what)}.")
    if until is None:
        click.echo("Replay matches the database.")
