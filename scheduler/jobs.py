"""Due work: one sweep moves every project whose next deadline has come, exactly once."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import inspect
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import Commitment, Project, Subscription
from marketplace.services import money, notifications
from marketplace.services.moves import apply, atomic

log = logging.getLogger(__name__)
ACTOR = "scheduler"
BATCH = 500


def advance(project: Project, now: datetime) -> list[str]:
    """Fire every timed move whose date has come, in table order; returns the triggers fired."""
    fired: list[str] = []
    moved = True
    while moved:
        moved = False
        for rule in lifecycle.timed_rules(State(project.state)):
            due = getattr(project, rule.at)
            if due is None or due > now:
                continue
            try:
                apply(project, rule.trigger, actor=ACTOR, now=now)
            except MoveRefused:
                continue
            fired.append(rule.trigger)
            moved = True
            break
    project.next_check_at = lifecycle.next_check_at(project, now)
    return fired


def _due(now: datetime, limit: int, skip: set[int]) -> list[Project]:
    """Lock the next due projects; rows another sweep holds are skipped, not waited for.

    What their moves will read (subscribers, bids, ledger accounts, matches, recipients) is
    loaded here for the whole batch, in a handful of queries rather than a few per project.
    """
    query = (
        db.select(Project)
        .where(Project.next_check_at <= now, Project.id.not_in(skip))
        .order_by(Project.next_check_at, Project.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .options(selectinload(Project.subscriptions).selectinload(Subscription.enterprise),
                 selectinload(Project.bids))
        .execution_options(populate_existing=True)
    )
    projects = list(db.session.execute(query).scalars())
    money.prepare(projects)
    notifications.prepare(projects)
    return projects


def _write_settled_subscriptions() -> None:
    """Write the batch's collected and released subscriptions in one UPDATE per outcome.

    A sweep settles about ten subscriptions per project, all to the same status at the same
    time; one UPDATE per (status, settled_at) replaces thousands of row-by-row UPDATEs of the
    unit of work. Subscriptions with other changes are left to the unit of work.
    """
    settled: dict[tuple[Commitment, datetime | None], list[Subscription]] = defaultdict(list)
    for row in db.session.dirty:
        if isinstance(row, Subscription) and \
                set(inspect(row).committed_state) <= {"status", "settled_at"}:
            settled[row.status, row.settled_at].append(row)
    table = Subscription.__table__
    for (status, settled_at), rows in settled.items():
        db.session.connection().execute(
            table.update().where(table.c.id.in_([row.id for row in rows]))
            .values(status=status, settled_at=settled_at))
        for row in rows:  # written: the unit of work has nothing left to do for them
            set_committed_value(row, "status", status)
            set_committed_value(row, "settled_at", settled_at)


def run_due(now: datetime, batch: int = BATCH) -> dict[int, list[str]]:
    """Sweep the projects whose ``next_check_at`` has come, a locked batch per transaction.

    Each project handled gets a later ``next_check_at`` (or none) in the same transaction as
    its moves, so a second sweep, or a second scheduler, finds nothing left to do. A batch that
    fails is retried one project at a time, and a project that still fails is left for the
    next sweep and logged, so one bad row never stops the clock for the others.
    """
    results: dict[int, list[str]] = {}
    broken: set[int] = set()
    size = batch
    while True:
        ids: list[int] = []
        moved: dict[int, list[str]] = {}
        try:
            with atomic():
                projects = _due(now, size, broken)
                ids = [project.id for project in projects]
                for project in projects:
                    if fired := advance(project, now):
                        moved[project.id] = fired
                _write_settled_subscriptions()
        except Exception:
            if size == 1:  # this is the bad one: leave it for the next sweep
                broken.update(ids)
                log.exception("project %s: the clock could not move it", ids)
                size = batch
            else:
                size = 1
            continue
        if not ids:
            return results
        results.update(moved)
        for project_id, triggers in moved.items():
            log.info("project %s: %s", project_id, ", ".join(triggers))
