"""Extending a deadline: only forward, only before it passes, always with a reason on record."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from marketplace import lifecycle
from marketplace.lifecycle import RULES, State
from marketplace.models import Account, Project, Role
from marketplace.services.core.access import owns_station, require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.record.audit import record

# The project dates the clock acts on, each with the last stage in which it still matters.
STAGES = list(State)
DEADLINES: dict[str, State] = {}
for _rule in RULES:
    if _rule.at:
        DEADLINES[_rule.at] = max([*_rule.sources, DEADLINES.get(_rule.at, State.PACKAGING)],
                                  key=STAGES.index)
# Questions stop at the end of the enquiry period, which lies inside the tender.
DEADLINES["enquiry_closes_at"] = State.TENDERING
ORDER = ("subscription_opens_at", "subscription_closes_at", "enquiry_closes_at",
         "tender_closes_at")


def extend_deadline(project_id: int, field: str, new_time: datetime, reason: str, *,
                    actor: Account, now: datetime) -> Project:
    """Move one of the project's deadlines later; the clock then waits for the new time."""
    if field not in DEADLINES:
        raise Invalid("“%(field)s” is not a deadline that can be extended.", field="field")
    if not (reason or "").strip():
        raise Invalid("Give a reason.", field="reason")
    require(actor, Role.COMMUNITY, Role.ADMIN)
    with atomic():
        project = lock_project(project_id)
        if actor.role is Role.COMMUNITY and not owns_station(actor, project):
            raise Forbidden("Only the station's own community may do this.")
        if STAGES.index(State(project.state)) > STAGES.index(DEADLINES[field]):
            raise Conflict("This deadline no longer applies to the project.",
                           rule="deadline_applies")
        current = getattr(project, field)
        if current is None or now >= current:
            raise Conflict("The deadline has already passed.", rule="deadline_ahead")
        if new_time <= current:
            raise Invalid("A deadline may only be moved later.", field="new_time")
        dates = [new_time if name == field else getattr(project, name) for name in ORDER]
        if any(a is not None and b is not None and a >= b for a, b in pairwise(dates)):
            raise Invalid("Dates must stay in order: subscription opens, subscription closes, "
                          "enquiries close, tender closes.", field="new_time")
        setattr(project, field, new_time)
        project.next_check_at = lifecycle.next_check_at(project, now)
        record(project, actor, "extend_deadline", now=now, from_state=project.state.value,
               to_state=project.state.value, reason=reason.strip(),
               details={"field": field, "previous": current.isoformat(),
                        "new": new_time.isoformat()})
    return project
