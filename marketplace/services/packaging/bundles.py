"""Packaging: a community builds a bundle of catalog items for its station."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    BeneficiaryGroup,
    BundleItem,
    Project,
    Role,
    ServiceType,
    Station,
)
from marketplace.models.projects import DEFAULT_PRICE_WEIGHT
from marketplace.services.core.access import require
from marketplace.services.core.errors import Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.record.audit import record

# A bundle's budget (each item's quantity × unit cost, summed) stays at most 1 billion yuan:
# far above any bundle, and far below what a BIGINT holds, so no product can overflow it.
MAX_BUDGET_FEN = 10**13


@dataclass(frozen=True)
class ItemLine:
    service_code: str
    quantity: int
    unit_cost_fen: int


@dataclass(frozen=True)
class BundleDraft:
    """What the community fills in; the budget is the sum of the items."""

    title: str
    items: tuple[ItemLine, ...]
    funding_target_fen: int
    funding_minimum_fen: int
    subscription_opens_at: datetime
    subscription_closes_at: datetime
    tender_closes_at: datetime
    group_codes: tuple[str, ...] = ()
    summary: str = ""
    people_served: int = 0
    enquiry_closes_at: datetime | None = None  # default: first third of the tender period
    # the published award criteria (services/tendering/scoring.py), percent summing to 100
    price_weight_pct: int = DEFAULT_PRICE_WEIGHT
    quality_weight_pct: int = 100 - DEFAULT_PRICE_WEIGHT


def _items(lines: tuple[ItemLine, ...]) -> list[BundleItem]:
    items, budget = [], 0
    for n, line in enumerate(lines, start=1):
        service = db.session.get(ServiceType, line.service_code)
        if service is None:
            raise Invalid("Item %(n)s: unknown service %(code)s.", field="items", n=n,
                          code=line.service_code)
        if line.quantity <= 0 or line.unit_cost_fen <= 0:
            raise Invalid("Item %(n)s: quantity and unit cost must be above zero.",
                          field="items", n=n)
        budget += line.quantity * line.unit_cost_fen
        if budget > MAX_BUDGET_FEN:
            raise Invalid("Item %(n)s: the items come to more than %(most)s fen.",
                          field="items", n=n, most=MAX_BUDGET_FEN)
        items.append(BundleItem(service=service, quantity=line.quantity,
                                unit_cost_fen=line.unit_cost_fen))
    return items


def enquiry_deadline(draft: BundleDraft) -> datetime | None:
    """When bidders' questions stop: as given (inside the tender period), or its first third."""
    opens, closes = draft.subscription_closes_at, draft.tender_closes_at
    if draft.enquiry_closes_at is None:
        return opens + (closes - opens) / 3 if opens < closes else None
    if not opens < draft.enquiry_closes_at < closes:
        raise Invalid("The enquiry period must end after the subscription closes and before "
                      "the tender closes.", field="enquiry_closes_at")
    return draft.enquiry_closes_at


def check_award_criteria(price_weight_pct: int, quality_weight_pct: int) -> None:
    """The weights bids will be scored by: each a whole percent, together 100."""
    for field, weight in (("price_weight", price_weight_pct),
                          ("quality_weight", quality_weight_pct)):
        if not 0 <= weight <= 100:
            raise Invalid("A weight is a percent from 0 to 100.", field=field)
    if price_weight_pct + quality_weight_pct != 100:
        raise Invalid("The price and quality weights must add up to 100 (now %(sum)s).",
                      field="quality_weight", sum=price_weight_pct + quality_weight_pct)


def create_bundle(station_id: int, draft: BundleDraft, *, actor: Account,
                  now: datetime | None = None) -> Project:
    """A new project in packaging; submitting it for review is a separate move."""
    now = now or utcnow()
    require(actor, Role.COMMUNITY)
    station = db.session.get(Station, station_id)
    if station is None:
        raise NotFound("No station %(id)s.", id=station_id)
    if station.community_id != actor.organization_id:
        raise Forbidden("Only the station's own community may package its projects.")
    if not draft.title.strip():
        raise Invalid("Give the project a title.", field="title")
    enquiry_closes_at = enquiry_deadline(draft)
    check_award_criteria(draft.price_weight_pct, draft.quality_weight_pct)
    with atomic():
        groups = [db.session.get(BeneficiaryGroup, code) for code in draft.group_codes]
        if None in groups:
            raise Invalid("Unknown beneficiary group.", field="groups")
        items = _items(draft.items)
        project = Project(
            title=draft.title.strip(), state=State.PACKAGING, summary=draft.summary,
            station=station, items=items,
            groups=groups, budget_fen=sum(i.total_fen for i in items),
            funding_target_fen=draft.funding_target_fen,
            funding_minimum_fen=draft.funding_minimum_fen,
            subscription_opens_at=draft.subscription_opens_at,
            subscription_closes_at=draft.subscription_closes_at,
            enquiry_closes_at=enquiry_closes_at,
            tender_closes_at=draft.tender_closes_at, people_served=draft.people_served,
            price_weight_pct=draft.price_weight_pct,
            quality_weight_pct=draft.quality_weight_pct,
            indicator_set_code=items[0].service.area.indicator_set_code if items else None,
            created_at=now,
        )
        db.session.add(project)
        record(project, actor, "create", now=now, to_state=project.state.value,
               details={"budget_fen": project.budget_fen})
    return project
