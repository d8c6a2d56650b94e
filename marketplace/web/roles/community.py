"""Community pages: build and submit bundles, award the tender, review milestones, cancel."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from marketplace.extensions import db
from marketplace.models import MilestoneStatus, NamingStatus, Project, Role, ServiceType, Station
from marketplace.models.projects import DEFAULT_PRICE_WEIGHT
from marketplace.services.core.moves import allowed_moves, move
from marketplace.services.core.visibility import is_own_community
from marketplace.services.finance import consequences
from marketplace.services.implementation import evidence as files
from marketplace.services.implementation.delivery import review_milestone
from marketplace.services.implementation.duties import shown_on_project
from marketplace.services.packaging.bundles import (
    BundleDraft,
    ItemLine,
    check_award_criteria,
    create_bundle,
)
from marketplace.services.packaging.naming import applications_for_community, choose_naming
from marketplace.services.record.transparency import money_trail
from marketplace.services.tendering import scoring
from marketplace.services.tendering.enquiries import answer_question, questions_of
from marketplace.web.forms import (
    ActionForm,
    AnswerForm,
    AwardForm,
    BundleForm,
    CoverForm,
    ReviewForm,
)
from marketplace.web.infra.labels import localized
from marketplace.web.pages import attempt, current_time, project_or_404, to_fen
from marketplace.web.roles.auth import role_required

bp = Blueprint("community", __name__, url_prefix="/community")


def _stations() -> list[Station]:
    return list(db.session.execute(
        db.select(Station).where(Station.community_id == current_user.organization_id)
        .order_by(Station.id)).scalars())


def _own(project_id: int) -> Project:
    """The community's pages are about its own projects: another's is not there (404), as the
    public page is where anyone reads it."""
    project = project_or_404(project_id)
    if not is_own_community(current_user, project):
        abort(404)
    return project


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(hour=4))  # 12:00 in Asia/Shanghai, stored as naive UTC


@bp.get("/")
@role_required(Role.COMMUNITY, approved=False)
def index() -> str:
    stations = _stations()
    projects = db.session.execute(
        db.select(Project).where(Project.station_id.in_([s.id for s in stations]))
        .order_by(Project.id.desc())).scalars().all() if stations else []
    return render_template("community/index.html", stations=stations, projects=projects)


def _bundle_form() -> BundleForm:
    form = BundleForm()
    form.station.choices = [SelectChoice(s.id, s.name) for s in _stations() if s.is_approved]
    services = db.session.execute(db.select(ServiceType).order_by(ServiceType.code)).scalars()
    choices = [SelectChoice("", "—"),
               *(SelectChoice(s.code, f"{s.code} {localized(s)}") for s in services)]
    for entry in form.items:
        entry.form.service.choices = choices
    return form


def _lines(form: BundleForm) -> tuple[ItemLine, ...] | None:
    lines = []
    for entry in form.items:
        row = entry.form
        if not row.service.data:
            continue
        cost = to_fen(row.unit_cost.data)
        if not row.quantity.data or cost is None or cost <= 0:
            row.unit_cost.errors = [*row.unit_cost.errors,
                                    _("Give a quantity and a unit cost above zero.")]
            continue
        lines.append(ItemLine(row.service.data, row.quantity.data, cost))
    if not lines and not form.errors:
        first = form.items[0].form.service
        first.errors = [*first.errors, _("Add at least one service item.")]
    return tuple(lines) if not form.errors and lines else None


def _weights(form: BundleForm) -> tuple[int, int]:
    """The award criteria typed; a weight left empty is the other's rest to 100."""
    price, quality = form.price_weight.data, form.quality_weight.data
    if price is None and quality is None:
        return DEFAULT_PRICE_WEIGHT, 100 - DEFAULT_PRICE_WEIGHT
    if price is None:
        return 100 - quality, quality
    if quality is None:
        return price, 100 - price
    return price, quality


@bp.route("/bundles/new", methods=["GET", "POST"])
@role_required(Role.COMMUNITY)
def new_bundle() -> str | Response | tuple[str, int]:
    """Build a bundle from the catalog; the budget is the sum of the items."""
    form = _bundle_form()
    if not form.validate_on_submit():
        return render_template("community/bundle.html", form=form), \
            400 if form.is_submitted() else 200
    lines = _lines(form)
    target, minimum = to_fen(form.target.data), to_fen(form.minimum.data)
    for money, value in ((form.target, target), (form.minimum, minimum)):
        if value is None or value <= 0:
            money.errors = [*money.errors, _("Give an amount above zero.")]
    weights = _weights(form)
    if not form.price_weight.errors and not form.quality_weight.errors:
        attempt(form, lambda: check_award_criteria(*weights))  # in the same round as the rest
    if lines is None or form.errors or target is None or minimum is None:
        return render_template("community/bundle.html", form=form), 400
    draft = BundleDraft(title=form.title.data, items=lines, funding_target_fen=target,
                        funding_minimum_fen=minimum, summary=form.summary.data or "",
                        subscription_opens_at=_noon(form.subscription_opens_at.data),
                        subscription_closes_at=_noon(form.subscription_closes_at.data),
                        tender_closes_at=_noon(form.tender_closes_at.data),
                        enquiry_closes_at=_noon(form.enquiry_closes_at.data)
                        if form.enquiry_closes_at.data else None,
                        price_weight_pct=weights[0], quality_weight_pct=weights[1])
    project = attempt(form, lambda: create_bundle(form.station.data, draft,
                                                  actor=current_user, now=current_time()))
    if project is None:
        return render_template("community/bundle.html", form=form), 400
    flash(_("Bundle saved. Check it, then submit it for review."))
    return redirect(url_for("community.project", project_id=project.id))


def _manage(project: Project, status: int = 200, **forms: object) -> tuple[str, int]:
    now = current_time()
    allowed = allowed_moves(current_user, project, now)
    tender_closed = "award" in allowed  # closed and not yet awarded: the bids are opened
    scores = scoring.compare(project) if tender_closed else []
    return render_template("community/project.html", project=project, scores=scores,
                           tender_closed=tender_closed, allowed=allowed,
                           evidence=files.by_report(project),
                           questions=questions_of(project.id),
                           answer_form=forms.get("answer_form") or AnswerForm(),
                           answer_for=forms.get("answer_for"),
                           **shown_on_project(project, now),
                           action_form=forms.get("action_form") or ActionForm(),
                           cover_form=CoverForm(),
                           award_form=forms.get("award_form") or AwardForm(),
                           review_form=forms.get("review_form") or ReviewForm(),
                           money=money_trail(project),
                           accepting={m.id: consequences.accepting(project, m)
                                      for m in project.milestones
                                      if m.status is MilestoneStatus.REPORTED},
                           cancelling=consequences.cancelling(project)
                           if "cancel" in allowed else []), status


@bp.get("/projects/<int:project_id>")
@role_required(Role.COMMUNITY)
def project(project_id: int) -> tuple[str, int]:
    return _manage(_own(project_id))


@bp.post("/projects/<int:project_id>/<any(submit, cancel, submit_for_evaluation):trigger>")
@role_required(Role.COMMUNITY)
def act(project_id: int, trigger: str) -> Response | tuple[str, int]:
    project = _own(project_id)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: move(
            project_id, trigger, actor=current_user, now=current_time(),
            reason=(form.reason.data or "").strip() or None)):
        flash(_("Done."))
        return redirect(url_for("community.project", project_id=project_id))
    db.session.expire_all()
    return _manage(project, 409, action_form=form)


@bp.post("/projects/<int:project_id>/award")
@role_required(Role.COMMUNITY)
def award(project_id: int) -> Response | tuple[str, int]:
    project = _own(project_id)
    form = AwardForm()
    if form.validate_on_submit() and attempt(form, lambda: move(
            project_id, "award", actor=current_user, now=current_time(),
            bid_id=form.bid.data)):
        flash(_("The tender is awarded."))
        return redirect(url_for("community.project", project_id=project_id))
    db.session.expire_all()
    return _manage(project, 409, award_form=form)


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>")
@role_required(Role.COMMUNITY)
def milestone(project_id: int, milestone_id: int) -> Response | tuple[str, int]:
    project = _own(project_id)
    form = ReviewForm()
    accept = request.form.get("decision") == "accept"
    if form.validate_on_submit() and attempt(form, lambda: review_milestone(
            project_id, milestone_id, actor=current_user, now=current_time(),
            accept=accept,
            comment=form.comment.data or "")):
        flash(_("Milestone accepted.") if accept else _("Milestone sent back."))
        return redirect(url_for("community.project", project_id=project_id))
    db.session.expire_all()
    return _manage(project, 400, review_form=form)


@bp.post("/projects/<int:project_id>/questions/<int:question_id>/answer")
@role_required(Role.COMMUNITY)
def answer(project_id: int, question_id: int) -> Response | tuple[str, int]:
    """Answer a bidder's question; the answer is published for every bidder to read."""
    project = _own(project_id)
    form = AnswerForm()
    if form.validate_on_submit() and attempt(form, lambda: answer_question(
            project_id, question_id, form.answer.data, actor=current_user,
            now=current_time())):
        flash(_("The answer is published on the project page."))
        return redirect(url_for("community.project", project_id=project_id))
    db.session.expire_all()
    return _manage(project, 400, answer_form=form, answer_for=question_id)


@bp.get("/naming")
@role_required(Role.COMMUNITY)
def naming() -> str:
    """Sponsors' applications to name the community's stations, competing ones side by side."""
    applications = applications_for_community(current_user.organization_id)
    return render_template("community/naming.html", applications=applications,
                           choosing={n.id: consequences.naming(n) for n in applications
                                     if n.status is NamingStatus.APPLIED},
                           form=ActionForm())


@bp.post("/naming/<int:right_id>/choose")
@role_required(Role.COMMUNITY)
def choose(right_id: int) -> Response:
    if right_id > 2**31 - 1:  # past PostgreSQL's integer: cannot exist
        abort(404)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: choose_naming(
            right_id, actor=current_user, now=current_time())):
        flash(_("The station carries the chosen name for one year."))
    return redirect(url_for("community.naming"))
