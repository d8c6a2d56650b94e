"""Subscription: enterprises commit money to a project while its window is open."""

from __future__ import annotations

from datetime import datetime

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project, Role, Subscription
from marketplace.services import matching, money
from marketplace.services.access import require
from marketplace.services.errors import Conflict, Invalid
from marketplace.services.moves import apply, atomic, lock_project, record


def subscribe(project_id: int, amount_fen: int, *, actor: Account,
              now: datetime | None = None) -> Subscription:
    """Commit money to the project; reaching the target closes the subscription at once.

    The project row is locked first, so concurrent subscribers never oversubscribe it.
    """
    now = now or utcnow()
    require(actor, Role.ENTERPRISE)
    with atomic():
        project: Project = lock_project(project_id)
        if project.state is not State.SUBSCRIPTION or now >= project.subscription_closes_at:
            raise Conflict("The project is not open for subscription.")
        if amount_fen <= 0:
            raise Invalid("The amount must be above zero.", field="amount")
        if amount_fen > project.remaining_fen:
            raise Invalid("At most %(remaining)s fen remain to be subscribed.", field="amount",
                          remaining=project.remaining_fen)
        subscription = Subscription(project=project, enterprise_id=actor.organization_id,
                                    amount_fen=amount_fen, created_at=now)
        db.session.add(subscription)
        db.session.flush()
        money.commit(subscription, now=now)
        matched = matching.match(subscription, now=now)
        project.committed_fen += amount_fen + (matched.amount_fen if matched else 0)
        record(project, actor, "subscribe", now=now, from_state=project.state.value,
               to_state=project.state.value,
               details={"amount_fen": amount_fen,
                        "matched_fen": matched.amount_fen if matched else 0})
        if project.committed_fen >= project.funding_target_fen:
            apply(project, "close_subscription", actor=actor, now=now)
    return subscription
