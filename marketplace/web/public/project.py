"""The project page everyone may see, and ``/me``, which sends a signed-in person
to their role's home."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from marketplace.lifecycle import subscription_days_left, subscription_open
from marketplace.models import Award, BundleItem, Project, Role, Station
from marketplace.services.evaluation.inspections import inspections_of_project
from marketplace.services.evaluation.panels import public_result
from marketplace.services.implementation.duties import evaluation_overdue, shown_on_project
from marketplace.services.implementation.evidence import public_by_milestone
from marketplace.services.record.public_record import project_events, project_trail
from marketplace.services.record.transparency import funders, money_trail
from marketplace.services.subscription.matching import offer_for
from marketplace.services.tendering.enquiries import questions_of
from marketplace.web.infra.clock import current_time
from marketplace.web.pages import project_or_404

bp = Blueprint("pages", __name__)


HOMES = {
    Role.ADMIN: "admin.index",
    Role.COMMUNITY: "community.index",
    Role.ENTERPRISE: "enterprise.portfolio",
    Role.SOCIAL_ORG: "ngo.tenders",
    Role.EVALUATOR: "evaluator.index",
}


@bp.get("/me")
@login_required
def home() -> Response:
    return redirect(url_for(HOMES[current_user.role]))


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

