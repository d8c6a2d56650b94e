"""Packaging: a community builds a bundle of catalog items for its station."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from marketplace import lifecycle
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    BeneficiaryGroup,
    BundleItem,
    Milestone,
    Project,
    Review,
    Role,
    ServiceType,
    Station,
)
from marketplace.models.projects import DEFAULT_PRICE_WEIGHT
from marketplace.services.core.access import owns_station, require
from marketplace.services.core.errors import (
    AllInvalid,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
)
from marketplace.services.core.unit import atomic, lock_project
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
class MilestoneLine:
    """One step of the community's milestone plan: what is delivered by when, and the share of
    the award paid when it is accepted."""

    title: str
    due_on: date | None
    share_pct: int


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
    # the contract's milestones when it starts (``Project.start_contract``); none: the bid's
    milestones: tuple[MilestoneLine, ...] = ()
    # the published award criteria (services/tendering/scoring.py), percent summing to 100
    price_weight_pct: int = DEFAULT_PRICE_WEIGHT
    quality_weight_pct: int = 100 - DEFAULT_PRICE_WEIGHT


def _items(lines: tuple[ItemLine, ...]) -> tuple[list[BundleItem], list[ServiceError]]:
    """The bundle's items, and every line's problem (each names its line ``n``)."""
    items, problems, budget = [], [], 0
    for n, line in enumerate(lines, start=1):
        service = db.session.get(ServiceType, line.service_code)
        if service is None:
            problems.append(Invalid("Item %(n)s: unknown service %(code)s.", field="items", n=n,
                                    code=line.service_code))
            continue
        if line.quantity <= 0 or line.unit_cost_fen <= 0:
            problems.append(Invalid("Item %(n)s: quantity and unit cost must be above zero.",
                                    field="items", n=n))
            continue
        budget += line.quantity * line.unit_cost_fen
        if budget > MAX_BUDGET_FEN:
            problems.append(Invalid("Item %(n)s: the items come to more than %(most)s fen.",
                                    field="items", n=n, most=MAX_BUDGET_FEN))
            break
        items.append(BundleItem(service=service, quantity=line.quantity,
                                unit_cost_fen=line.unit_cost_fen))
    return items, problems


def _plan(lines: tuple[MilestoneLine, ...], tender_closes_at: datetime
          ) -> tuple[list[Milestone], list[ServiceError]]:
    """The milestone plan, and every step's problem: each is delivered after the tender
    closes, in order, and the shares paid on acceptance come to the whole award."""
    milestones, problems = [], []
    after = tender_closes_at.date()
    for n, line in enumerate(lines, start=1):
        if not line.title.strip() or line.due_on is None:
            problems.append(Invalid("Milestone %(n)s needs a title and a due day.",
                                    field="milestones.title", n=n))
            continue
        if line.due_on <= after:
            problems.append(Invalid("Milestone %(n)s must be due after the tender closes "
                                    "(%(day)s).", field="milestones.due_on", n=n,
                                    day=tender_closes_at.date().isoformat()))
        after = max(after, line.due_on)
        if not 0 <= line.share_pct <= 100:
            problems.append(Invalid("Milestone %(n)s: a share is from 0 to 100 per cent.",
                                    field="milestones.share_pct", n=n))
        milestones.append(Milestone(sequence=n, title=line.title.strip(), due_on=line.due_on,
                                    share_pct=line.share_pct))
    shares = sum(line.share_pct for line in lines)
    if lines and not problems and shares != 100:
        problems.append(Invalid("The milestones' shares come to %(shares)s per cent; the "
                                "award is paid in full, 100 per cent.",
                                field="milestones.share_pct", shares=shares))
    return milestones, problems


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


def _fill(project: Project, draft: BundleDraft, now: datetime) -> None:
    """Write the draft onto the project, then check it as submitting will: the lifecycle's own
    guards of the bundle's contents (``BUNDLE_CONTENTS``), so a bundle is not saved
    without complaint only to be refused at submit. Every problem is raised at once."""
    problems: list[ServiceError] = []
    if not draft.title.strip():
        problems.append(Invalid("Give the project a title.", field="title"))
    try:
        enquiry_closes_at = enquiry_deadline(draft)
    except Invalid as refused:
        problems.append(refused)
        enquiry_closes_at = None
    groups = [db.session.get(BeneficiaryGroup, code) for code in dict.fromkeys(draft.group_codes)]
    if None in groups:
        problems.append(Invalid("Unknown beneficiary group.", field="groups"))
    items, item_problems = _items(draft.items)
    problems += item_problems
    plan, plan_problems = _plan(draft.milestones, draft.tender_closes_at)
    problems += plan_problems
    try:
        check_award_criteria(draft.price_weight_pct, draft.quality_weight_pct)
    except Invalid as refused:
        problems.append(refused)
    project.title = draft.title.strip()
    project.summary = draft.summary
    project.items = items
    project.groups = [g for g in groups if g is not None]
    project.budget_fen = sum(i.total_fen for i in items)
    project.funding_target_fen = draft.funding_target_fen
    project.funding_minimum_fen = draft.funding_minimum_fen
    project.subscription_opens_at = draft.subscription_opens_at
    project.subscription_closes_at = draft.subscription_closes_at
    project.enquiry_closes_at = enquiry_closes_at
    project.tender_closes_at = draft.tender_closes_at
    project.people_served = draft.people_served
    project.price_weight_pct = draft.price_weight_pct
    project.quality_weight_pct = draft.quality_weight_pct
    project.indicator_set_code = items[0].service.area.indicator_set_code if items else None
    # a line refused above is not in the sum: the guards on the items and the money wait for it
    guards = lifecycle.BUNDLE_CONTENTS if not item_problems else (lifecycle.dates_in_order,)
    for refused in lifecycle.refusals(project, guards, lifecycle.Move("submit", "", now)):
        problems.append(Invalid(refused.template, field=refused_field(refused),
                                rule=refused.guard, **refused.params))
    if problems:
        raise AllInvalid(problems)
    if project.milestones:  # the plan replaced: the old steps go first (their sequence is unique)
        for milestone in project.milestones:
            db.session.delete(milestone)
        db.session.flush()
        db.session.expire(project, ["milestones"])
    project.milestones = plan


def problems(draft: BundleDraft, now: datetime) -> list[ServiceError]:
    """What saving the draft would refuse, found without saving: a form says it in the same
    round as its own checks of what was typed."""
    try:
        _fill(Project(state=State.PACKAGING), draft, now)
    except AllInvalid as refused:
        return list(refused.errors)
    return []


def refused_field(refused: lifecycle.MoveRefused) -> str | None:
    """The bundle's field a lifecycle guard's refusal is about (``lifecycle.about``)."""
    guard = getattr(lifecycle, refused.guard, None)
    return getattr(guard, "field", None)


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
    with atomic():
        project = Project(state=State.PACKAGING, station=station, created_at=now)
        _fill(project, draft, now)
        db.session.add(project)
        record(project, actor, "create", now=now, to_state=project.state.value,
               details={"budget_fen": project.budget_fen})
    return project


def editable(project: Project) -> bool:
    """A bundle is the community's to change while it is packaged and no review is pending:
    a draft, or one the administrator sent back."""
    return project.state is State.PACKAGING and project.review in (Review.DRAFT,
                                                                   Review.REJECTED)


def update_bundle(project_id: int, draft: BundleDraft, *, actor: Account,
                  now: datetime | None = None) -> Project:
    """The community changes its bundle in packaging; its stage and review stay as they were
    (a rejected bundle is submitted again by the ``submit`` move)."""
    now = now or utcnow()
    require(actor, Role.COMMUNITY)
    with atomic():
        project = lock_project(project_id)
        if not owns_station(actor, project):
            raise Forbidden("Only the station's own community may change its bundle.")
        if not editable(project):
            raise Conflict("The bundle can be changed only while it is packaged and not "
                           "waiting for review.", rule="editable")
        before = project.budget_fen
        _fill(project, draft, now)
        record(project, actor, "edit_bundle", now=now, from_state=project.state.value,
               to_state=project.state.value,
               details={"budget_fen": project.budget_fen, "previous_budget_fen": before,
                        "review": project.review.value})
    return project
