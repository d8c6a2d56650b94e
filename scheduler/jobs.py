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
from marketplace.lifecycle import CLOCK
from marketplace.models import Commitment, Project, Subscription
from marketplace.services.core.errors import Busy
from marketplace.services.core.moves import apply
from marketplace.services.core.unit import atomic
from marketplace.services.finance import money
from marketplace.services.record import notifications
from scheduler import bulk

log = logging.getLogger(__name__)
ACTOR = "scheduler"
BATCH = 500


def _apply(project: Project, trigger: str, now: datetime) -> None:
    apply(project, trigger, actor=ACTOR, by=CLOCK, now=now)


def advance(project: Any, now: datetime,
            make: Callable[[Any, str, datetime], None] = _apply) -> list[str]:
    """Make every timed move whose date has come, as ``lifecycle.due_rule`` names them one
    after another; returns the triggers fired.

    ``make`` makes one move: through the ORM (``moves.apply``), as rows (``bulk.Batch``), or
    rehearsed without writing (``preview``). A move it refuses although its guards passed is
    an error of the batch, not a reason to try again: the project is left for the next sweep.
    """
    fired: list[str] = []
    while (rule := lifecycle.due_rule(project, now)) is not None:
        make(project, rule.trigger, now)
        fired.append(rule.trigger)
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


class Sweep(dict[int, list[str]]):
    """The triggers a sweep fired per project, and (``locked``) the due projects it could not
    take because another transaction held them: they stay due for the next sweep."""

    locked: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.locked = []


def held_elsewhere(error: BaseException) -> bool:
    """A lock held by another transaction for longer than the unit's lock wait: every sweep
    step runs in ``atomic()``, which turns that (SQLite's one write lock, PostgreSQL's
    ``lock_timeout``) into ``Busy``.

    SQLite has no row locks (``SKIP LOCKED`` means nothing there): while a request writes,
    every row is held, so the sweep stops instead of trying each project in turn.
    """
    return isinstance(error, Busy)


def restore_checks(now: datetime) -> None:
    """Give a check to the projects left without one although a deadline of their stage has
    passed (``bulk.unchecked_by``), so this sweep moves those that are due.

    Only rows written by older releases or bulk loads need it; those waiting for a person
    match again at each sweep, are read, and keep no check.
    """
    with atomic():
        projects = db.session.execute(
            db.select(Project).where(bulk.unchecked_by(now)).order_by(Project.id)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
        ).scalars().all()
        for project in projects:
            if (when := lifecycle.next_check_at(project, now)) is not None:
                project.next_check_at = when


def _still_due(now: datetime, broken: set[int]) -> list[int]:
    return list(db.session.execute(
        db.select(Project.id).where(bulk.checked_by(now), Project.id.not_in(broken))
        .order_by(Project.id)).scalars())


def _pass(now: datetime, batch: int, broken: set[int], set_based: bool,
          results: Sweep) -> bool:
    """Sweep locked batches until no due row is left that this sweep can take; returns False
    when the database's write lock was held (SQLite) and the sweep had to stop."""
    size = batch
    while True:
        ids: list[int] = []
        try:
            with atomic():
                moved = _sweep(now, size, broken, set_based, ids)
        except Exception as error:
            if held_elsewhere(error):
                log.warning("the database is locked by another transaction: sweep stopped")
                return False
            if size == 1:  # this is the bad one: leave it for the next sweep
                broken.update(ids)
                log.exception("project %s: the clock could not move it", ids)
                size = batch
            else:
                size = 1
            continue
        if not ids:
            return True
        results.update(moved)
        for project_id, triggers in moved.items():
            log.info("project %s: %s", project_id, ", ".join(triggers))


def run_due(now: datetime, batch: int = BATCH, *, set_based: bool = True) -> Sweep:
    """Sweep the projects whose ``next_check_at`` has come, a locked batch per transaction.

    Each project handled gets a later ``next_check_at`` (or none) in the same transaction as
    its moves, so a second sweep, or a second scheduler, finds nothing left to do. A batch that
    fails is retried one project at a time through the ORM path, and a project that still fails
    is left for the next sweep and logged, so one bad row never stops the clock for the others.
    Due rows another transaction holds (a request moving the project) are skipped, tried again
    once the batches are done, and those still held are logged and returned as ``locked``: they
    are still due, and the next sweep takes them. ``set_based=False`` sends every move through
    the ORM: the reference the set-based path is tested against.
    """
    results = Sweep()
    broken: set[int] = set()
    try:
        restore_checks(now)
    except Exception as error:
        if not held_elsewhere(error):
            raise
    else:
        if _pass(now, batch, broken, set_based, results) and _still_due(now, broken):
            _pass(now, batch, broken, set_based, results)
    results.locked = _still_due(now, broken)
    if results.locked:
        log.warning("%d project(s) locked, left for the next sweep: %s", len(results.locked),
                    ", ".join(map(str, results.locked)))
    return results
