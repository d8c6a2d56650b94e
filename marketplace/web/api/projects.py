"""Projects: the public listing, a community's new bundle, one project, its moves and trail."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    AuditEvent,
    BeneficiaryGroup,
    BundleItem,
    Project,
    ServiceType,
    Station,
)
from marketplace.services.core import moves
from marketplace.services.core.errors import Invalid, NotFound
from marketplace.services.core.memo import kept
from marketplace.services.core.moves import move
from marketplace.services.core.visibility import (
    check_visible,
    event_details,
    is_admin,
    visible_clause,
    withheld,
)
from marketplace.services.packaging.bundles import BundleDraft, ItemLine, create_bundle
from marketplace.services.record.as_of import FIELD as AS_OF
from marketplace.services.record.as_of import parse_as_of, project_then
from marketplace.web.api import bp, serialize
from marketplace.web.api.common import (
    MAX_PER_PAGE,
    PER_PAGE,
    body,
    caller,
    fen,
    integer,
    iso,
    listing,
    moment,
    now,
    project_or_404,
    query_int,
    signed_in,
    text,
)
from marketplace.web.public.home import MAX_PAGE

ALIASES = {"approve": "publish"}  # the administrator's word for publishing a reviewed bundle


def _filtered(account: Account | None) -> Any:
    query = db.select(Project).where(visible_clause(account))
    args = request.args
    if state := args.get("state"):
        if state not in {s.value for s in State}:
            raise Invalid("Unknown state %(state)s.", field="state", state=state)
        query = query.where(Project.state == State(state))
    if area := args.get("area"):
        query = query.where(Project.items.any(
            BundleItem.service.has(ServiceType.area_code == area)))
    if county := args.get("county"):
        query = query.where(Project.station.has(Station.county == county))
    if group := args.get("group"):
        query = query.where(Project.groups.any(BeneficiaryGroup.code == group))
    if q := args.get("q", "").strip():
        query = query.where(Project.title.icontains(q, autoescape=True))
    return query


@bp.get("/projects")
def list_projects() -> ResponseReturnValue:
    account = caller()
    page = query_int("page", 1, 1, MAX_PAGE)
    per_page = query_int("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    query = _filtered(account)

    def count() -> int:
        return db.session.execute(
            db.select(db.func.count()).select_from(query.subquery())).scalar_one()

    # The count walks every match: kept per process until the database changes. What the
    # caller may see depends on who it is, so the key names the caller with the filters.
    filters = tuple(request.args.get(name) for name in ("state", "area", "county", "group", "q"))
    total = kept().get(("api count", account.id if account else None, filters), count)
    projects = db.session.execute(
        query.options(joinedload(Project.station),  # one row each: with the page, not after
                      selectinload(Project.items).joinedload(BundleItem.service),
                      joinedload(Project.groups))
        .order_by(Project.created_at.desc(), Project.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).unique().scalars().all()
    return {"projects": [serialize.project_summary(p) for p in projects],
            "page": page, "per_page": per_page, "total": total}


def _draft(data: dict[str, Any]) -> BundleDraft:
    lines = []
    for n, raw in enumerate(listing(data, "items", []), start=1):
        if not isinstance(raw, dict):
            raise Invalid("Item %(n)s must be an object.", field="items", n=n)
        lines.append(ItemLine(text(raw, "service_code", max_length=20),
                              integer(raw, "quantity"), fen(raw, "unit_cost_fen")))
    groups = listing(data, "groups", [])
    if not all(isinstance(g, str) for g in groups):
        raise Invalid("groups must be a list of codes.", field="groups")
    return BundleDraft(
        title=text(data, "title", max_length=200), items=tuple(lines),
        funding_target_fen=fen(data, "funding_target_fen"),
        funding_minimum_fen=fen(data, "funding_minimum_fen"),
        subscription_opens_at=moment(data, "subscription_opens_at"),
        subscription_closes_at=moment(data, "subscription_closes_at"),
        tender_closes_at=moment(data, "tender_closes_at"),
        enquiry_closes_at=moment(data, "enquiry_closes_at", None),
        group_codes=tuple(groups), summary=text(data, "summary", ""),
        people_served=integer(data, "people_served", 0),
    )


@bp.post("/projects")
def create_project() -> ResponseReturnValue:
    account = signed_in()
    data = body()
    project = create_bundle(integer(data, "station_id"), _draft(data), actor=account, now=now())
    return _detail(project, account), 201, {"Location": f"{bp.url_prefix}/projects/{project.id}"}


def allowed_moves(project: Project, account: Account | None) -> list[str]:
    """The moves the lifecycle would make now that this caller may also make."""
    if account is None:
        return []
    return moves.allowed_moves(account, project, now())


def _detail(project: Project, account: Account | None) -> dict[str, Any]:
    """The project as it is now (``as_of`` null: not a past moment)."""
    return {**serialize.project_detail(project, allowed_moves(project, account)), AS_OF: None}


@bp.get("/projects/<int:project_id>")
def show_project(project_id: int) -> ResponseReturnValue:
    """The project; with ``?as_of=`` as it stood then (the page's cut of the audit chain and
    the ledger), with no moves to make; a moment not yet come is now."""
    account = caller()
    project = check_visible(project_or_404(project_id), account)
    at = parse_as_of(request.args.get(AS_OF))
    if at is None or at >= now():
        return _detail(project, account)
    return {**serialize.project_detail(project_then(project, at), []), AS_OF: iso(at)}


@bp.post("/projects/<int:project_id>/actions/<trigger>")
def fire_move(project_id: int, trigger: str) -> ResponseReturnValue:
    account = signed_in()
    trigger = ALIASES.get(trigger, trigger)
    if trigger not in lifecycle.TRIGGERS:
        raise NotFound("No move called %(trigger)s.", trigger=trigger)
    check_visible(project_or_404(project_id), account)
    data = body()
    args = {}
    if "bid_id" in data:
        args["bid_id"] = integer(data, "bid_id", maximum=2**31)
    if "tender_closes_at" in data:
        args["tender_closes_at"] = moment(data, "tender_closes_at")
    project = move(project_id, trigger, actor=account, now=now(),
                   reason=text(data, "reason", None),
                   expected_version=integer(data, "expected_version", None, maximum=2**31),
                   **args)
    return _detail(project, account)


@bp.get("/projects/<int:project_id>/events")
def list_events(project_id: int) -> ResponseReturnValue:
    """The project's audit events: the administrator reads them whole; everyone else as the
    page's public record has them (no e-mail addresses, nobody named while sealed)."""
    account = caller()
    project = check_visible(project_or_404(project_id), account)
    rows = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.project_id == project_id)
        .order_by(AuditEvent.at, AuditEvent.id)).scalars()
    events = []
    for row in rows:
        event = serialize.event(row)
        if not is_admin(account):
            event["actor"] = "" if withheld(row, project) else event["actor"].split(" <")[0]
            event["details"] = event_details(row, project, account)
        events.append(event)
    return {"events": events}
