"""Subscription: enterprises commit money to a project while its window is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import joinedload

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import CLOCK, subscription_open
from marketplace.models import Account, Match, Organization, Project, Role, Subscription
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid
from marketplace.services.core.moves import apply
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.finance import money
from marketplace.services.record.audit import record
from marketplace.services.subscription import credit, matching


def subscribe(project_id: int, amount_fen: int, *, actor: Account,
              now: datetime | None = None) -> Subscription:
    """Commit money to the project; reaching the target closes the subscription at once.

    The project row is locked first, so concurrent subscribers never oversubscribe it.
    """
    now = now or utcnow()
    require(actor, Role.ENTERPRISE)
    with atomic():
        subscription = _subscribe(lock_project(project_id), amount_fen, actor=actor, now=now)
    return subscription


def subscribe_from_credit(project_id: int, amount_fen: int, *, actor: Account,
                          now: datetime | None = None) -> Subscription:
    """Move released credit to another project: a subscription paid from credit.

    The same rules as any subscription (and the same matchfunding), and never more than the
    credit: the enterprise's row is locked before the project, so two moves of the same
    credit at once queue, and the second sees what the first spent.
    """
    now = now or utcnow()
    require(actor, Role.ENTERPRISE)
    with atomic():
        enterprise = credit.lock_enterprise(actor)
        subscription = _subscribe(lock_project(project_id), amount_fen, actor=actor, now=now,
                                  paid_by=enterprise)
    return subscription


def check_amount(project: Project, amount_fen: int) -> None:
    """An amount the project may still take: above zero, within what its target leaves open.
    The subscription form asks it before its confirmation step, the subscription itself again."""
    if amount_fen <= 0:
        raise Invalid("The amount must be above zero.", field="amount")
    if amount_fen > project.remaining_fen:
        raise Conflict("At most %(remaining_fen)s may still be subscribed.", field="amount",
                       rule="within_funding_target", remaining_fen=project.remaining_fen)


def _subscribe(project: Project, amount_fen: int, *, actor: Account, now: datetime,
               paid_by: Organization | None = None) -> Subscription:
    """The subscription inside the caller's unit of work; ``paid_by``: from its credit."""
    if not subscription_open(project, now):
        raise Conflict("The project is not open for subscription.",
                       rule="subscription_window_open")
    check_amount(project, amount_fen)
    if paid_by is not None:
        credit.check_credit(paid_by, amount_fen)
    subscription = Subscription(project=project, enterprise_id=actor.organization_id,
                                amount_fen=amount_fen, created_at=now,
                                from_credit=paid_by is not None)
    db.session.add(subscription)
    db.session.flush()
    if paid_by is None:
        money.commit(subscription, now=now)
    else:
        credit.commit_from_credit(subscription, now=now)
    matched = matching.match(subscription, now=now)
    project.committed_fen += amount_fen + (matched.amount_fen if matched else 0)
    record(project, actor, credit.MOVE if paid_by else "subscribe", now=now,
           from_state=project.state.value, to_state=project.state.value,
           details={"amount_fen": amount_fen,
                    "matched_fen": matched.amount_fen if matched else 0})
    if project.committed_fen >= project.funding_target_fen:  # the platform's rule, not the
        apply(project, "close_subscription", actor=actor, by=CLOCK, now=now)  # enterprise's
    return subscription


def matches_by_subscription(subscription_ids: list[int]) -> dict[int, Match]:
    """The fund's match of each subscription that has one, by subscription id."""
    if not subscription_ids:
        return {}
    rows = db.session.execute(db.select(Match).where(
        Match.subscription_id.in_(subscription_ids))
        .options(joinedload(Match.offer))).scalars()
    return {row.subscription_id: row for row in rows}


def subscriptions_of(organization_id: int, *, page: int, per_page: int
                     ) -> tuple[list[Subscription], int]:
    """One page of the enterprise's subscriptions, newest first, and how many it has."""
    mine = Subscription.enterprise_id == organization_id
    total = db.session.execute(
        db.select(db.func.count()).select_from(Subscription).where(mine)).scalar_one()
    rows = db.session.execute(
        db.select(Subscription).where(mine)
        .options(joinedload(Subscription.project))
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return list(rows), int(total)
