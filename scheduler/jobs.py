"""Due work: one sweep moves every project whose next deadline has come, exactly once."""

from __future__ import annotations

import logging
from datetime import datetime

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import Project
from marketplace.services.errors import Conflict, NotFound
from marketplace.services.moves import apply, atomic, lock_project

log = logging.getLogger(__name__)
ACTOR = "scheduler"


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


def run_due(now: datetime) -> dict[int, list[str]]:
    """Sweep the projects whose ``next_check_at`` has come; each in its own transaction.

    The row is locked and re-read before acting, so a second sweep (or a second scheduler)
    finds the deadline already handled and does nothing.
    """
    due_ids = db.session.execute(
        db.select(Project.id).where(Project.next_check_at <= now).order_by(Project.next_check_at)
    ).scalars().all()
    db.session.rollback()
    results: dict[int, list[str]] = {}
    for project_id in due_ids:
        try:
            with atomic():
                project = lock_project(project_id)
                if project.next_check_at is None or project.next_check_at > now:
                    continue
                fired = advance(project, now)
        except (Conflict, NotFound):
            # Changed or deleted by someone else meanwhile: the next sweep sees the new row.
            log.info("project %s changed meanwhile; left for the next sweep", project_id)
            continue
        if fired:
            log.info("project %s: %s", project_id, ", ".join(fired))
            results[project_id] = fired
    return results
