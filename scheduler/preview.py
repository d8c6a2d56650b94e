"""What the clock would do in the coming days, rehearsed by the sweep's own code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import CLOCK, State
from marketplace.models import Project
from marketplace.services.core.moves import new_move
from scheduler import bulk
from scheduler.jobs import ACTOR, advance


@dataclass(frozen=True)
class Planned:
    project_id: int
    title: str
    at: datetime
    trigger: str
    from_state: State
    to_state: State


def preview(now: datetime, until: datetime) -> list[Planned]:
    """The moves ``run_due(until)`` would make if nobody acts meanwhile, soonest first.

    The same projects as that sweep (``bulk.due_by``), moved by the same ``advance``: each
    move is made on the loaded project by the lifecycle alone (no money, audit or notices),
    never flushed, and the session is rolled back at the end. A move is listed at its
    deadline, or at ``now`` when the deadline has already passed (it is due at once).
    """
    projects = db.session.execute(
        db.select(Project).where(bulk.due_by(until)).order_by(Project.id)).scalars().all()
    planned: list[Planned] = []

    def rehearse(project: Any, trigger: str, when: datetime) -> None:
        before = State(project.state)
        rule = next(r for r in lifecycle.timed_rules(before) if r.trigger == trigger)
        at = max(getattr(project, rule.at), now)
        lifecycle.fire(project, new_move(trigger, actor=ACTOR, by=CLOCK, now=when))
        planned.append(Planned(project.id, project.title, at, trigger, before,
                               State(project.state)))

    try:
        with db.session.no_autoflush:
            for project in projects:
                advance(project, until, rehearse)
    finally:
        db.session.rollback()
    return sorted(planned, key=lambda p: (p.at, p.project_id))
