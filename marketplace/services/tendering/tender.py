"""The tender: social organizations submit sealed bids until the tender closes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import tender_open
from marketplace.models import Account, Bid, BidStatus, Project, Role
from marketplace.models.tender import within_budget
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid, NotFound
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.implementation.evidence import Upload, kept_only_on_commit
from marketplace.services.record.audit import record
from marketplace.services.tendering import documents as attached


def current_bid(project: Project, organization_id: int) -> Bid | None:
    """The organization's bid still standing on this tender (one at most: a new bid
    replaces it, a withdrawal ends it)."""
    return next((b for b in project.bids if b.organization_id == organization_id
                 and b.status is BidStatus.SUBMITTED), None)


def submit_bid(project_id: int, *, actor: Account, price_fen: int, delivery_plan: str,
               team: str = "", milestone_plan: list[dict[str, Any]] | None = None,
               documents: Sequence[Upload] = (), now: datetime | None = None) -> Bid:
    """Submit a bid, replacing the organization's earlier bid on the same tender. The
    replacing bid keeps the earlier one's documents and adds ``documents`` to them."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with kept_only_on_commit() as written, atomic():
        project = lock_project(project_id)
        if not tender_open(project, now):
            raise Conflict("The tender is not open for bids.", rule="tender_open")
        if price_fen <= 0:
            raise Invalid("The price must be above zero.", field="price")
        if not within_budget(price_fen, project):
            whole, cents = divmod(project.budget_fen, 100)
            raise Conflict("The price is above the budget of %(budget)s.", field="price",
                           rule="bid_within_budget", budget=f"¥{whole:,}.{cents:02d}")
        if not delivery_plan.strip():
            raise Invalid("Describe the delivery plan.", field="delivery_plan")
        earlier = current_bid(project, actor.organization_id)
        kept = list(earlier.documents) if earlier else []
        checked = attached.check(documents, already=len(kept))
        if earlier:
            earlier.status = BidStatus.WITHDRAWN
        bid = Bid(project=project, organization_id=actor.organization_id, price_fen=price_fen,
                  delivery_plan=delivery_plan, team=team, milestone_plan=milestone_plan or [],
                  submitted_at=now)
        db.session.add(bid)
        for document in kept:
            document.bid = bid
        attached.store(bid, checked, actor=actor, now=now, written=written)
        # The audit trail is public: it says a bid came in, never what it offers.
        record(project, actor, "bid", now=now, from_state=project.state.value,
               to_state=project.state.value)
    return bid


def withdraw_bid(project_id: int, *, actor: Account, now: datetime | None = None) -> Bid:
    """The organization takes its sealed bid back before the tender closes: it is then never
    opened nor scored, and the organization may bid again while the tender is open."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with atomic():
        project = lock_project(project_id)
        if not tender_open(project, now):
            raise Conflict("The tender has closed: a bid can no longer be withdrawn.",
                           rule="tender_open")
        bid = current_bid(project, actor.organization_id)
        if bid is None:
            raise NotFound("You have no bid on this tender to withdraw.")
        bid.status = BidStatus.WITHDRAWN
        # Public trail again: that a bid was withdrawn, never its price or plan.
        record(project, actor, "withdraw_bid", now=now, from_state=project.state.value,
               to_state=project.state.value)
    return bid
