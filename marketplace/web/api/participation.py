"""Taking part in a project: enterprises subscribe money (or move credit), social
organizations bid."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from marketplace.models import Bid, Project, Role, Subscription
from marketplace.services.core.access import require
from marketplace.services.core.errors import Invalid
from marketplace.services.core.visibility import check_visible, tender_closed, visible_bids
from marketplace.services.subscription import credit, funding, receipts
from marketplace.services.tendering import scoring, tender
from marketplace.web.api import bp, serialize
from marketplace.web.api.common import (
    MAX_PER_PAGE,
    PER_PAGE,
    body,
    day,
    fen,
    idempotent,
    integer,
    listing,
    now,
    project_or_404,
    query_int,
    signed_in,
    text,
)
from marketplace.web.api.serialize import iso
from marketplace.web.public.home import MAX_PAGE
from marketplace.web.receipts import receipt_download


def _subscribed(subscription: Subscription) -> ResponseReturnValue:
    """The 201 of a new subscription: with the fund's match and the project's state now."""
    match = funding.matches_by_subscription([subscription.id]).get(subscription.id)
    return {**serialize.subscription(subscription, match),
            "project_state": subscription.project.state.value}, 201


@bp.post("/projects/<int:project_id>/subscriptions")
@idempotent
def subscribe(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    return _subscribed(funding.subscribe(project_id, fen(body(), "amount_fen"), actor=account,
                                         now=now()))


@bp.get("/subscriptions")
def list_subscriptions() -> ResponseReturnValue:
    """The enterprise's own subscriptions, newest first, each with its project and match."""
    account = signed_in()
    require(account, Role.ENTERPRISE)
    page = query_int("page", 1, 1, MAX_PAGE)
    per_page = query_int("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    rows, total = funding.subscriptions_of(account.organization_id, page=page,
                                           per_page=per_page)
    matches = funding.matches_by_subscription([row.id for row in rows])
    return {"subscriptions": [serialize.subscription(row, matches.get(row.id)) for row in rows],
            "page": page, "per_page": per_page, "total": total}


@bp.get("/subscriptions/<int:subscription_id>/receipt.pdf")
def subscription_receipt(subscription_id: int) -> ResponseReturnValue:
    """The 认购凭证 PDF: the subscribing enterprise's and the administrator's; 404 to others."""
    return receipt_download(receipts.receipt_for(subscription_id, signed_in(), now=now()))


def _milestone_plan(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Checked here so a malformed plan is a 400 now, not a failure when the bid is awarded."""
    plan = []
    for n, step in enumerate(listing(data, "milestone_plan", []), start=1):
        if not isinstance(step, dict):
            raise Invalid("Milestone %(n)s must be an object.", field="milestone_plan", n=n)
        title = text(step, "title", max_length=200)
        if not title.strip():
            raise Invalid("Milestone %(n)s needs a title.", field="milestone_plan", n=n)
        share = integer(step, "share_pct", 0, maximum=100)
        if share < 0:
            raise Invalid("A milestone's share cannot be negative.", field="milestone_plan")
        plan.append({"title": title.strip(), "due": day(step.get("due"), "due").isoformat(),
                     "share_pct": share})
    return plan


@bp.post("/projects/<int:project_id>/bids")
def submit_bid(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    data = body()
    bid = tender.submit_bid(project_id, actor=account, price_fen=fen(data, "price_fen"),
                            delivery_plan=text(data, "delivery_plan"),
                            team=text(data, "team", ""), milestone_plan=_milestone_plan(data),
                            now=now())
    return serialize.bid(bid), 201


@bp.get("/projects/<int:project_id>/bids")
def list_bids(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    project = check_visible(project_or_404(
        project_id, selectinload(Project.bids).selectinload(Bid.organization)), account)
    moment = now()
    sealed = not tender_closed(project, moment)
    bids = visible_bids(project, account, moment)
    scored = {} if sealed or account.role is Role.SOCIAL_ORG else \
        {s.bid.id: s for s in scoring.compare(project, bids)}
    return {"sealed": sealed, "bids": [serialize.bid(b, scored.get(b.id)) for b in bids]}


@bp.delete("/projects/<int:project_id>/bids/mine")
def withdraw_bid(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    return serialize.bid(tender.withdraw_bid(project_id, actor=account, now=now()))


@bp.get("/credit")
def credit_statement() -> ResponseReturnValue:
    """The enterprise's credit and every step of it: returned, moved, withdrawn."""
    account = signed_in()
    require(account, Role.ENTERPRISE)
    return {"credit_fen": credit.credit_fen(account.organization_id),
            "steps": [{"at": iso(step.at), "kind": step.kind, "amount_fen": step.amount_fen,
                       "project_id": step.project.id if step.project else None,
                       "reason": step.reason}
                      for step in credit.credit_steps(account.organization_id)]}


@bp.post("/credit/moves")
@idempotent
def move_credit() -> ResponseReturnValue:
    account = signed_in()
    data = body()
    project_id = integer(data, "project_id", maximum=2**31 - 1)
    check_visible(project_or_404(project_id), account)
    return _subscribed(funding.subscribe_from_credit(project_id, fen(data, "amount_fen"),
                                                     actor=account, now=now()))


@bp.post("/credit/withdrawals")
@idempotent
def withdraw_credit() -> ResponseReturnValue:
    account = signed_in()
    data = body()
    transaction = credit.withdraw_credit(fen(data, "amount_fen"),
                                         text(data, "reason", max_length=2000),
                                         actor=account, now=now())
    return {"transaction_id": transaction.id, "amount_fen": -transaction.entries[0].amount_fen,
            "credit_fen": credit.credit_fen(account.organization_id)}, 201
