"""Matchfunding: the administrator's match offers and the match each eligible subscription gets.

A subscription is matched inside ``funding.subscribe``'s transaction, after the project row is
locked; the offer row is locked next (always in that order, so two subscribers never deadlock),
which keeps the offer's ``matched_fen`` under its budget whatever runs at the same time.
Matched money counts toward the project's target like the subscription it matched, and
``money.settle`` moves it with that subscription: collected, released back to the fund
source, or returned pro rata when the project finishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select

from marketplace.extensions import db
from marketplace.models import Account, Match, MatchOffer, Project, Role, Subscription
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.finance.ledger import (
    FUND_SOURCES,
    Cause,
    commitments_account,
    fund_account,
    post,
)
from marketplace.services.record.audit import record

DEFAULT_SOURCE = "fund:source:fiscal"


@dataclass
class OfferDraft:
    name: str
    ratio_pct: int
    cap_per_subscription_fen: int
    cap_per_project_fen: int
    budget_fen: int
    opens_at: datetime
    closes_at: datetime
    service_areas: Sequence[str] = field(default_factory=list)
    counties: Sequence[str] = field(default_factory=list)
    source_code: str = DEFAULT_SOURCE


def _check(draft: OfferDraft) -> None:
    if not draft.name.strip():
        raise Invalid("Give the offer a name.", field="name")
    for name in ("ratio_pct", "cap_per_subscription_fen", "cap_per_project_fen", "budget_fen"):
        value = getattr(draft, name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise Invalid("%(name)s must be a whole number above zero.", field=name, name=name)
    if draft.source_code not in FUND_SOURCES:
        raise Invalid("No fund source %(code)s.", field="source_code", code=draft.source_code)
    if not draft.opens_at < draft.closes_at:
        raise Invalid("The offer must open before it closes.", field="closes_at")


def open_offer(draft: OfferDraft, *, actor: Account, now: datetime) -> MatchOffer:
    """The administrator commits part of the fund to matching subscriptions."""
    require(actor, Role.ADMIN)
    _check(draft)
    with atomic():
        offer = MatchOffer(
            name=draft.name.strip(), ratio_pct=draft.ratio_pct, source_code=draft.source_code,
            cap_per_subscription_fen=draft.cap_per_subscription_fen,
            cap_per_project_fen=draft.cap_per_project_fen, budget_fen=draft.budget_fen,
            matched_fen=0, service_areas=list(draft.service_areas),
            counties=list(draft.counties), opens_at=draft.opens_at, closes_at=draft.closes_at,
            created_by_id=actor.id, created_at=now)
        db.session.add(offer)
        fund_account(offer.source_code)  # opened now, not raced for by the first subscribers
        db.session.flush()
        record(None, actor, "open_match_offer", now=now,
               details={"offer_id": offer.id, "budget_fen": offer.budget_fen,
                        "ratio_pct": offer.ratio_pct})
    return offer


def eligible(offer: MatchOffer, project: Project, now: datetime) -> bool:
    """Open now, and the project's station county and service areas are among the offer's."""
    if not offer.opens_at <= now < offer.closes_at:
        return False
    if offer.counties and project.station.county not in offer.counties:
        return False
    areas = {item.service.area_code for item in project.items}
    return not offer.service_areas or bool(areas & set(offer.service_areas))


def _matched_for(offer: MatchOffer, project: Project) -> int:
    """What this offer already matches, live, on this project."""
    from marketplace.models import Commitment

    return int(db.session.execute(
        db.select(db.func.coalesce(db.func.sum(Match.amount_fen), 0))
        .join(Subscription, Subscription.id == Match.subscription_id)
        .where(Match.offer_id == offer.id, Match.project_id == project.id,
               Subscription.status != Commitment.RELEASED)).scalar_one())


def _open_offers(what: Any, now: datetime) -> Select:
    """The offers open now with budget left, in the order a subscription tries them."""
    return (db.select(what).where(MatchOffer.opens_at <= now, MatchOffer.closes_at > now,
                                  MatchOffer.matched_fen < MatchOffer.budget_fen)
            .order_by(MatchOffer.id))


def offer_for(project: Project, now: datetime) -> MatchOffer | None:
    """The offer a subscription made now would be matched from (the project page's badge):
    the first open one that takes the project and has not spent its cap on it."""
    for offer in db.session.execute(_open_offers(MatchOffer, now)).scalars():
        if eligible(offer, project, now) and \
                offer.cap_per_project_fen > _matched_for(offer, project):
            return offer
    return None


def match(subscription: Subscription, *, now: datetime) -> Match | None:
    """Match the new subscription from the first eligible offer with budget left, if any.

    The match is the subscription times the ratio, capped per subscription, by what the offer
    has left for this project and in all, and by what the project still needs after the
    subscription itself. The caller holds the project's lock and commits.
    """
    project = subscription.project
    candidates = db.session.execute(_open_offers(MatchOffer.id, now)).scalars().all()
    for offer_id in candidates:
        offer = db.session.execute(
            db.select(MatchOffer).where(MatchOffer.id == offer_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one()
        if not eligible(offer, project, now):
            continue
        amount = min(subscription.amount_fen * offer.ratio_pct // 100,
                     offer.cap_per_subscription_fen,
                     offer.cap_per_project_fen - _matched_for(offer, project),
                     offer.budget_left_fen,
                     project.funding_target_fen - project.committed_fen
                     - subscription.amount_fen)
        if amount <= 0:
            continue
        matched = Match(offer=offer, subscription=subscription, project_id=project.id,
                        amount_fen=amount, created_at=now)
        db.session.add(matched)
        offer.matched_fen += amount
        db.session.flush()
        post(f"Matched by {offer.name} for {project.title}",
             [(fund_account(offer.source_code), -amount), (commitments_account(project), amount)],
             Cause("match", project.id, subscription.id), now=now)
        return matched
    return None

def close_offer(offer_id: int, *, actor: Account, now: datetime) -> MatchOffer:
    """The administrator ends an offer now: no new matches; the matches made stand."""
    require(actor, Role.ADMIN)
    with atomic():
        offer = db.session.execute(
            db.select(MatchOffer).where(MatchOffer.id == offer_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one_or_none()
        if offer is None:
            raise NotFound("No match offer %(id)s.", id=offer_id)
        if offer.closes_at <= now:
            raise Conflict("The offer is already closed.", rule="offer_open")
        offer.closes_at = max(now, offer.opens_at)
        record(None, actor, "close_match_offer", now=now,
               details={"offer_id": offer.id, "matched_fen": offer.matched_fen})
    return offer


def offers() -> list[MatchOffer]:
    """Every offer, newest first, for the administrator's list."""
    return list(db.session.execute(
        db.select(MatchOffer).order_by(MatchOffer.created_at.desc(), MatchOffer.id.desc()))
        .scalars())
