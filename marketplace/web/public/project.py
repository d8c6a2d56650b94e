"""The project page everyone may see, and ``/me``, which sends a signed-in person
to their role's home."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from marketplace.clock import current_time, local_date
from marketplace.lifecycle import subscription_days_left, subscription_open
from marketplace.models import Award, BundleItem, Project, Role, Station
from marketplace.services.evaluation.inspections import inspections_of_project
from marketplace.services.evaluation.panels import PanelResult, public_result
from marketplace.services.implementation.duties import evaluation_overdue, shown_on_project
from marketplace.services.implementation.evidence import public_by_milestone
from marketplace.services.record.as_of import DECISIONS, ProjectThen
from marketplace.services.record.public_record import project_events, project_trail
from marketplace.services.record.transparency import funders, money_trail
from marketplace.services.subscription.matching import offer_for
from marketplace.services.tendering.enquiries import questions_of
from marketplace.web.pages import project_or_404
from marketplace.web.public.as_of import as_of_of

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
def project(project_id: int) -> tuple[str, int]:
    """Public: items, budget, funding, stages, the award, the panel's result, inspections and
    who decided what and when (issue 6: anyone can see how a project was decided and scored);
    with ``?as_of=`` all of it as it stood then (issue 16)."""
    project = project_or_404(project_id, *PROJECT_PAGE)
    now = current_time()
    picker = as_of_of(project, now)
    then = picker.then
    if then is not None:
        return render_template("pages/project.html", **past_page(project, then),
                               as_of=picker), picker.status
    events = project_events(project)  # one query for the timeline and the public record
    timeline = [e for e in events if e.from_state is not None and e.to_state is not None
                and e.from_state != e.to_state]  # the stage changes, as SQL's != would pick
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
                           evaluation_overdue=evaluation_overdue(project, now),
                           as_of=picker), picker.status


def past_page(project: Project, then: ProjectThen) -> dict[str, Any]:
    """What the page said at ``then.at``: the same parts, each cut at that moment; nothing
    to act on (no subscribe button, no match offer)."""
    at, seen = then.at, list(then.moment.seen)
    accepted = {e.details.get("milestone") for e in then.seen("accept_milestone")}
    decided = any(e.trigger in DECISIONS for e in seen) and not then.decided_since()
    return dict(
        project=then,
        timeline=[e for e in seen if e.from_state is not None and e.to_state is not None
                  and e.from_state != e.to_state],
        can_subscribe=False, offer=None, funders=funders(project, until=at),
        days_left=subscription_days_left(then, at),
        panel=public_result(then) if decided else PanelResult(
            score=None, grade=None, indicator_means={}, sheets=[], recused=[]),
        record=project_trail(then, seen),
        inspections=[i for i in inspections_of_project(project.id)
                     if i.inspected_on <= local_date(at)],
        money=money_trail(project, until=at),
        evidence=[w for w in public_by_milestone(project) if w.milestone.sequence in accepted],
        questions=[q for q in questions_of(project.id)
                   if q.is_answered and q.answered_at is not None and q.answered_at <= at],
        **shown_on_project(then, at),
        evaluation_overdue=evaluation_overdue(then, at))
