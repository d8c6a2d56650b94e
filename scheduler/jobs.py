"""Due work: one sweep moves every project whose next deadline has come, exactly once."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import Commitment, Project, Subscription
from marketplace.services import money, notifications
from marketplace.services.moves import CLOCK, apply, atomic
from scheduler import bulk

log = logging.getLogger(__name__)
ACTOR = "scheduler"
BATCH = 500


def _apply(project: Project, trigger: str, now: datetime) -> None:
    apply(project, trigger, actor=ACTOR, by=CLOCK, now=now)


def advance(project: Any, now: datetime,
            make: Callable[[Any, str, datetime], None] = _apply) -> list[str]:
    """Fire every timed move whose date has come, in table order; returns the triggers fired.

    ``make`` makes one move: through the ORM (``moves.apply``), or as rows (``bulk.Batch``).
    """
    fired: list[str] = []
    moved = True
    while moved:
        moved = False
        for rule in lifecycle.timed_rules(State(project.state)):
            due = getattr(project, rule.at)
            if due is None or due > now:
                continue
            try:
                make(project, rule.trigger, now)
            except MoveRefused:
                continue
            fired.append(rule.trigger)
            moved = True
            break
    project.next_check_at = lifecycle.next_check_at(project, now)
    return fired


def _load(ids: list[int]) -> list[Project]:
    """The locked projects the ORM path moves, with what their moves will read.

    Subscribers, bids, ledger accounts, matches and recipients are loaded for the whole batch
    in a handful of queries rather than a few per project.
    """
    query = (
        db.select(Project).where(Project.id.in_(ids)).order_by(Project.next_check_at, Project.id)
        .options(selectinload(Project.subscriptions).selectinload(Subscription.enterprise),
                 selectinload(Project.bids))
        .execution_options(populate_existing=True)
    )
    projects = list(db.session.execute(query).scalars())
    money.prepare(projects)
    notifications.prepare(projects)
    return projects


def _sweep(now: datetime, size: int, broken: set[int], set_based: bool,
           locked: list[int]) -> dict[int, list[str]]:
    """Lock one batch into ``locked`` and move it: the subscription-stage moves as rows, the
    rest through the ORM; returns the triggers fired per project."""
    rows = bulk.lock_due(now, size, broken)
    locked.extend(row.id for row in rows)
    moved: dict[int, list[str]] = {}
    fast: list[bulk.ProjectRow] = []
    rest: list[int] = []
    for row in rows:
        if set_based and size > 1 and bulk.in_reach(row, now):
            fast.append(row)
        else:
            rest.append(row.id)
    if fast:
        batch = bulk.Batch(fast, actor=ACTOR)
        for row in fast:
            if fired := advance(row, now, batch.apply):
                moved[row.id] = fired
        batch.write()
    if rest:
        for project in _load(rest):
            if fired := advance(project, now):
                moved[project.id] = fired
        _write_settled_subscriptions()
    return moved


def _write_settled_subscriptions() -> None:
    """Write the ORM path's collected and released subscriptions with ``bulk.write_settled``.

    One UPDATE per (status, settled_at) replaces thousands of row-by-row UPDATEs of the unit
    of work. Subscriptions with other changes are left to the unit of work.
    """
    settled: dict[tuple[Commitment, datetime | None], list[Subscription]] = defaultdict(list)
    for row in db.session.dirty:
        if isinstance(row, Subscription) and \
                set(inspect(row).committed_state) <= {"status", "settled_at"}:
            settled[row.status, row.settled_at].append(row)
    bulk.write_settled(db.session.connection(),
                       {outcome: [row.id for row in rows] for outcome, rows in settled.items()})
    for (status, settled_at), rows in settled.items():
        for row in rows:  # written: the unit of work has nothing left to do for them
            set_committed_value(row, "status", status)
            set_committed_value(row, "settled_at", settled_at)


def run_due(now: datetime, batch: int = BATCH, *,
            set_based: bool = True) -> dict[int, list[str]]:
    """Sweep the projects whose ``next_check_at`` has come, a locked batch per transaction.

    Each project handled gets a later ``next_check_at`` (or none) in the same transaction as
    its moves, so a second sweep, or a second scheduler, finds nothing left to do. A batch that
    fails is retried one project at a time through the ORM path, and a project that still fails
    is left for the next sweep and logged, so one bad row never stops the clock for the others.
    ``set_based=False`` sends every move through the ORM: the reference the set-based path is
    tested against.
    """
    results: dict[int, list[str]] = {}
    broken: set[int] = set()
    size = batch
    while True:
        ids: list[int] = []
        try:
            with atomic():
                moved = _sweep(now, size, broken, set_based, ids)
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
