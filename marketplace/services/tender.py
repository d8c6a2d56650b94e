"""The tender: social organizations submit sealed bids until the tender closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Bid, BidStatus, Role
from marketplace.services.access import require
from marketplace.services.errors import Conflict, Invalid
from marketplace.services.moves import atomic, lock_project, record


def submit_bid(project_id: int, *, actor: Account, price_fen: int, delivery_plan: str,
               team: str = "", milestone_plan: list[dict[str, Any]] | None = None,
               now: datetime | None = None) -> Bid:
    """Submit a bid, replacing the organization's earlier bid on the same tender."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with atomic():
        project = lock_project(project_id)
        if project.state is not State.TENDERING or now >= project.tender_closes_at:
            raise Conflict("The tender is not open for bids.")
        if price_fen <= 0:
            raise Invalid("The price must be above zero.", field="price")
        if not delivery_plan.strip():
            raise Invalid("Describe the delivery plan.", field="delivery_plan")
        for earlier in project.bids:
            if earlier.organization_id == actor.organization_id and \
                    earlier.status is BidStatus.SUBMITTED:
                earlier.status = BidStatus.WITHDRAWN
        bid = Bid(project=project, organization_id=actor.organization_id, price_fen=price_fen,
                  delivery_plan=delivery_plan, team=team, milestone_plan=milestone_plan or [],
                  submitted_at=now)
        db.session.add(bid)
        # The audit trail is public: it says a bid came in, never what it offers.
        record(project, actor, "bid", now=now, from_state=project.state.value,
               to_state=project.state.value)
    return bid
