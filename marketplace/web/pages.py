"""Pages shared by every role: my page, the public project page; registers each role's pages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import DECISIONS, MoveRefused, subscription_days_left, subscription_open
from marketplace.models import Award, BundleItem, Project, Role, Station
from marketplace.services import consequences
from marketplace.services.access import may_move
from marketplace.services.duties import evaluation_overdue, shown_on_project
from marketplace.services.enquiries import questions_of
from marketplace.services.errors import Forbidden, ServiceError
from marketplace.services.evidence import public_by_milestone
from marketplace.services.inspections import inspections_of_project
from marketplace.services.matching import offer_for
from marketplace.services.moves import allowed_moves, move
from marketplace.services.panels import public_result
from marketplace.services.public_record import project_events, project_trail
from marketplace.services.transparency import funders, money_trail
from marketplace.services.visibility import may_see
from marketplace.web.clock import current_time
from marketplace.web.errors import translated
from marketplace.web.forms import ActionForm
from marketplace.web.site import flash_clause

bp = Blueprint("pages", __name__)
T = TypeVar("T")
MAX_YUAN = Decimal("100000000")  # 1 亿: anything above is a typing mistake on these forms

HOMES = {
    Role.ADMIN: "admin.index",
    Role.COMMUNITY: "community.index",
    Role.ENTERPRISE: "enterprise.portfolio",
    Role.SOCIAL_ORG: "ngo.tenders",
    Role.EVALUATOR: "evaluator.index",
}


def to_fen(amount: Decimal | None) -> int | None:
    """Yuan typed in a form → integer fen; None when it is not a usable number."""
    try:
        if amount is None or not amount.is_finite() or abs(amount) > MAX_YUAN:
            return None
        return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None


def attempt(form: FlaskForm | None, action: Callable[[], T]) -> T | None:
    """Call one service; a refusal goes next to its field (or on top of the page), nothing saved."""
    try:
        return action()
    except (ServiceError, MoveRefused) as error:
        db.session.rollback()
        message = translated(error)
        field = getattr(error, "field", None)
        target = getattr(form, field, None) if form is not None and field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            flash(message, "error")
        flash_clause(getattr(error, "clause", None))
        return None


def may_move_or_403(project: Project, trigger: str) -> None:
    """A move this account may not fire is answered 403 with the reason, before it is tried."""
    try:
        may_move(current_user, project, trigger)
    except Forbidden as refused:
        abort(403, translated(refused))


def panel_decisions(project: Project) -> dict[str, list[consequences.Said]]:
    """The panel's decisions this account may make now, each with what it will do."""
    allowed = allowed_moves(current_user, project, current_time())
    return {trigger: consequences.deciding(project, trigger)
            for trigger in DECISIONS if trigger in allowed}


def decide_as_panel(project: Project, trigger: str,
                    again: Callable[[ActionForm], tuple[str, int]]) -> Response | tuple[str, int]:
    """A panel decision posted from a page (the evaluator's or the administrator's): refused
    before it is tried when this account may not fire it; ``again`` renders the page anew
    with the refusal when the lifecycle says no."""
    may_move_or_403(project, trigger)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: move(
            project.id, trigger, actor=current_user, now=current_time(),
            reason=(form.reason.data or "").strip() or None)):
        flash(_("Done."))
        return redirect(url_for("pages.project", project_id=project.id))
    db.session.expire_all()
    return again(form)


def project_or_404(project_id: int, *options: ORMOption) -> Project:
    """The project, if the signed-in account (or the visitor) may see it: every page with a
    project id comes through here, so a draft's id answers 404 like one that never existed."""
    if project_id > 2**31 - 1:  # past PostgreSQL's integer: cannot exist, and the query would fail
        abort(404)
    project = db.session.get(Project, project_id, options=options)
    if project is None or not may_see(project, current_user):
        abort(404)
    return project


@bp.get("/me")
@login_required
def home() -> Response:
    return redirect(url_for(HOMES[current_user.role]))


# What the public project page shows of a project, loaded with it rather than one lazy query
# each: six round trips fewer per view (bench/README.md). One collection only is joined (a
# project has a handful of milestones): joining more would multiply the rows.
PROJECT_PAGE: tuple[ORMOption, ...] = (
    joinedload(Project.station).joinedload(Station.active_naming),
    joinedload(Project.award).joinedload(Award.organization),
    joinedload(Project.milestones),
    selectinload(Project.items).joinedload(BundleItem.service),
)


@bp.get("/projects/<int:project_id>")
def project(project_id: int) -> str:
    """Public: items, budget, funding, stages, the award, the panel's result, inspections and
    who decided what and when (issue 6: anyone can see how a project was decided and scored)."""
    project = project_or_404(project_id, *PROJECT_PAGE)
    events = project_events(project)  # one query for the timeline and the public record
    timeline = [e for e in events if e.from_state is not None and e.to_state is not None
                and e.from_state != e.to_state]  # the stage changes, as SQL's != would pick
    now = current_time()
    money = money_trail(project)
    can_subscribe = subscription_open(project, now)
    return render_template("pages/project.html", project=project, timeline=timeline,
                           can_subscribe=can_subscribe, funders=funders(project),
                           days_left=subscription_days_left(project, now),
                           offer=offer_for(project, now) if can_subscribe else None,
                           panel=public_result(project),
                           record=project_trail(project, events),
                           inspections=inspections_of_project(project.id),
                           money=money, evidence=public_by_milestone(project),
                           questions=[q for q in questions_of(project.id) if q.is_answered],
                           **shown_on_project(project, now),
                           evaluation_overdue=evaluation_overdue(project, now))


def register(app: Flask) -> None:
    from marketplace.web import (
        admin,
        community,
        complaints,
        county_reports,
        covers,
        dashboard,
        enterprise,
        evaluator,
        evidence,
        labels,
        ngo,
        record,
        stations,
        tokens,
        transparency,
    )

    for blueprint in (bp, admin.bp, community.bp, enterprise.bp, ngo.bp, evaluator.bp,
                      complaints.bp, dashboard.bp, county_reports.bp, transparency.bp,
                      evidence.bp, tokens.bp, record.bp, stations.bp, covers.bp):
        app.register_blueprint(blueprint)
    labels.register(app)


__all__ = ["attempt", "bp", "current_time", "may_move_or_403", "project_or_404", "register",
           "to_fen"]
