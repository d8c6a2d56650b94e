"""What the clock would do in the coming days, worked out from dates alone, changing nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import ENDS, GuardFailed, Move, State
from marketplace.models import Project


@dataclass(frozen=True)
class Planned:
    project_id: int
    title: str
    at: datetime
    trigger: str
    from_state: State
    to_state: State


def _first_passing(project: Project, state: State, after: datetime,
                   until: datetime) -> tuple[lifecycle.Rule, datetime] | None:
    """The timed rule that would fire next from ``state``, judged on the project as it stands."""
    for rule in sorted(lifecycle.timed_rules(state), key=lambda r: getattr(project, r.at) or until):
        due = getattr(project, rule.at)
        if due is None or due > until:
            continue
        when = max(due, after)
        try:
            for guard in rule.guards:
                guard(project, Move(rule.trigger, actor="", now=when))
        except GuardFailed:
            continue
        return rule, when
    return None


def preview(now: datetime, until: datetime) -> list[Planned]:
    """Moves the clock would make up to ``until`` if nobody acts meanwhile, soonest first.

    A chain (subscription opens, then closes unfunded) is followed through the states without
    touching the project: guards only read it. The session is rolled back at the end.
    """
    projects = db.session.execute(
        db.select(Project).where(Project.state.not_in(list(ENDS))).order_by(Project.id)
    ).scalars().all()
    planned: list[Planned] = []
    for project in projects:
        state, after = State(project.state), now
        seen: set[State] = set()
        while state not in ENDS and state not in seen:
            seen.add(state)
            found = _first_passing(project, state, after, until)
            if found is None:
                break
            rule, when = found
            dest = rule.dest or state
            planned.append(Planned(project.id, project.title, when, rule.trigger, state, dest))
            state, after = dest, when
    db.session.rollback()
    return sorted(planned, key=lambda p: (p.at, p.project_id))
