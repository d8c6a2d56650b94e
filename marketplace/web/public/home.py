"""Public pages: headline figures, the project listing, and station and organization pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from marketplace.clock import current_time, local_date
from marketplace.extensions import db
from marketplace.models import (
    Award,
    BundleItem,
    Organization,
    Project,
    Role,
    Station,
    StationStatus,
    Subscription,
)
from marketplace.services.core.memo import kept
from marketplace.services.evaluation.evaluation_awards import awards
from marketplace.services.evaluation.inspections import inspections_of_station
from marketplace.services.implementation.volunteers import minutes_by_volunteer
from marketplace.services.packaging.stations import station_trail
from marketplace.services.record.as_of import projects_then
from marketplace.services.record.public_record import public_trail
from marketplace.services.record.transparency import money_trail, raised_by_project
from marketplace.services.reports.directory import directory
from marketplace.services.reports.impact import impact as impact_of
from marketplace.services.reports.showcase import PUBLIC_STATES, SORTS, Filters, days_left, showcase
from marketplace.web.charts import bars
from marketplace.web.public.as_of import station_as_of

bp = Blueprint("public", __name__)
PER_PAGE = 20
MAX_PAGE = 10**6  # as the API's listing: the database cannot offset past 64 bits
PUBLIC_ROLES = (Role.COMMUNITY, Role.ENTERPRISE, Role.SOCIAL_ORG)


@bp.get("/")
def index() -> str:
    """Figures on top, then the projects as cards: filter by stage, area, county, group;
    search; sort by newest, closing soon or most funded; pages."""
    filters = Filters(**{name: request.args.get(name, "").strip()
                         for name in ("stage", "area", "county", "group", "q", "sort")})
    now = current_time()
    number = request.args.get("page", 1, type=int)
    if number > MAX_PAGE:
        abort(400, description=_("The page number must be at most %(most)s.", most=MAX_PAGE))
    memo = kept()  # the database's version, asked once, before anything is read
    # The station and its sponsor's name come with the page's rows (the query joins stations
    # already); the station's community is not shown, so it is not loaded: 2 round trips fewer.
    # The cards' covers read each bundle's items and their services: one statement a page.
    page = db.paginate(filters.ordered(now).options(
        contains_eager(Project.station).joinedload(Station.active_naming),
        selectinload(Project.items).joinedload(BundleItem.service)),
        page=number, per_page=PER_PAGE, error_out=False,
        count=False)
    page.total = memo.get(("listing count", filters.matching), filters.count)
    shown = showcase(memo)
    # The rows' links: each row appends its id to these, one url_for per page, not two per row.
    project_href = url_for("pages.project", project_id=0).removesuffix("0")
    station_href = url_for("public.station", station_id=0).removesuffix("0")
    return render_template("public/index.html", figures=shown.figures, page=page,
                           projects=page.items, filters=filters, states=PUBLIC_STATES,
                           areas=shown.areas, groups=shown.groups, counties=shown.counties,
                           project_href=project_href, station_href=station_href,
                           sorts=SORTS, days_left=lambda p: days_left(p, now),
                           raised=raised_by_project(p.id for p in page.items))


@bp.get("/stations")
def stations() -> str:
    """The approved stations by county: sponsor's name and term, projects, volunteers."""
    return render_template("public/stations.html", counties=directory())


def _public_projects(*where: object) -> list[Project]:
    return list(db.session.execute(
        db.select(Project).where(Project.state.in_(PUBLIC_STATES), *where)
        .order_by(Project.created_at.desc(), Project.id.desc())).scalars())


@bp.get("/stations/<int:station_id>")
def station(station_id: int) -> tuple[str, int]:
    """An approved station: who runs it, its published projects, inspections and volunteers;
    with ``?as_of=`` all of it as it stood then (issue 16)."""
    station = db.session.get(Station, station_id)
    if station is None or not station.is_approved:
        abort(404)
    picker = station_as_of(station, current_time())
    if picker.then is not None:
        at = picker.then.at
        minutes = minutes_by_volunteer(station.id, until=at)
        every = list(db.session.execute(
            db.select(Project).where(Project.station_id == station.id)
            .order_by(Project.created_at.desc(), Project.id.desc())).scalars())
        shown = projects_then(every, at)
        return render_template(
            "public/station.html", station=picker.then, as_of=picker, projects=shown,
            raised={p.id: money_trail(p, until=at).raised for p in shown},
            inspections=[i for i in inspections_of_station(station.id)
                         if i.inspected_on <= local_date(at)],
            volunteers=len(minutes), minutes=sum(minutes.values()),
            record=public_trail(e for e in station_trail(station.id) if e.at <= at)), 200
    minutes = minutes_by_volunteer(station.id)
    projects = _public_projects(Project.station_id == station.id)
    return render_template("public/station.html", station=station, projects=projects,
                           as_of=picker, raised=raised_by_project(p.id for p in projects),
                           inspections=inspections_of_station(station.id),
                           volunteers=len(minutes), minutes=sum(minutes.values()),
                           record=public_trail(station_trail(station.id))), picker.status


@bp.get("/organizations/<int:organization_id>")
def organization(organization_id: int) -> str:
    """An approved community, enterprise or social organization and its public record."""
    org = db.session.get(Organization, organization_id)
    if org is None or not org.is_approved or org.role not in PUBLIC_ROLES:
        abort(404)
    stations, projects = [], []
    if org.role is Role.COMMUNITY:
        stations = list(db.session.execute(db.select(Station).where(
            Station.community_id == org.id, Station.status == StationStatus.APPROVED)
            .order_by(Station.id)).scalars())
        projects = _public_projects(Project.station_id.in_([s.id for s in stations]))
    elif org.role is Role.SOCIAL_ORG:
        projects = _public_projects(Project.award.has(Award.organization_id == org.id))
    else:
        projects = _public_projects(Project.subscriptions.any(
            Subscription.enterprise_id == org.id))
    return render_template("public/organization.html", org=org, stations=stations,
                           projects=projects, raised=raised_by_project(p.id for p in projects),
                           awards=awards(org.id) if org.role is Role.SOCIAL_ORG else [])


@bp.get("/organizations/<int:organization_id>/impact")
def impact(organization_id: int) -> str:
    """An approved enterprise's impact: what it gave, where the money went, who was served."""
    org = db.session.get(Organization, organization_id) if organization_id < 2**31 else None
    if org is None or not org.is_approved or org.role is not Role.ENTERPRISE:
        abort(404)
    figures = impact_of(org)
    where = bars(
        _("Where the money went"),
        [_("Subscribed"), _("Matched by the fund"), _("Paid to organizations (its share)"),
         _("Released or refunded to it")],
        [(_("Amount (yuan)"), [figures.subscribed_fen, figures.matched_fen, figures.paid_fen,
                               figures.returned_fen])],
        money=True, unit=_("yuan"),
        empty=_("This enterprise's first subscription to a project fills this chart."))
    return render_template("public/impact.html", org=org, impact=figures, where=where)
