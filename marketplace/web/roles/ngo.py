"""Social-organization pages: open tenders, its own sealed bid, reports on awarded milestones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import State, enquiry_open, tender_open
from marketplace.models import Bid, Project, Role
from marketplace.services.implementation import evidence as files
from marketplace.services.implementation.delivery import report_progress
from marketplace.services.implementation.duties import shown_on_project
from marketplace.services.tendering.enquiries import ask_question, questions_of
from marketplace.services.tendering.tender import current_bid, submit_bid, withdraw_bid
from marketplace.web.forms import ActionForm, BidForm, QuestionForm, ReportForm
from marketplace.web.pages import attempt, current_time, project_or_404, to_fen
from marketplace.web.public.evidence import uploads_from
from marketplace.web.roles.auth import role_required

bp = Blueprint("ngo", __name__, url_prefix="/ngo")


def own_bid(project: Project) -> Bid | None:
    """Only the organization's own current bid: others' stay sealed from this page."""
    return current_bid(project, current_user.organization_id)


@bp.get("/")
@role_required(Role.SOCIAL_ORG, approved=False)
def tenders() -> str:
    now = current_time()
    open_tenders = db.session.execute(
        db.select(Project).where(Project.state == State.TENDERING, Project.tender_closes_at > now)
        .options(selectinload(Project.bids))
        .order_by(Project.tender_closes_at)).scalars().all()
    awarded = [p for p in db.session.execute(
        db.select(Project).where(Project.state.in_([State.IMPLEMENTATION, State.EVALUATION]))
        .options(selectinload(Project.award)))
        .scalars() if p.award and p.award.organization_id == current_user.organization_id]
    return render_template("ngo/tenders.html", tenders=open_tenders, awarded=awarded,
                           own_bid=own_bid)


def _render(project: Project, bid_form: BidForm, status: int = 200, *,
            report_form: ReportForm | None = None, report_for: int | None = None,
            question_form: QuestionForm | None = None) -> tuple[str, int]:
    """The tender (bid, questions and answers) or, for the awarded organization, delivery."""
    now = current_time()
    awarded = project.award is not None and \
        project.award.organization_id == current_user.organization_id
    return render_template("ngo/project.html", project=project, form=bid_form,
                           bid=own_bid(project), awarded=awarded,
                           evidence=files.by_report(project) if awarded else {},
                           report_form=report_form or ReportForm(), report_for=report_for,
                           question_form=question_form or QuestionForm(),
                           questions=[q for q in questions_of(project.id) if q.is_answered],
                           enquiries_open=enquiry_open(project, now),
                           **shown_on_project(project, now),
                           tender_open=tender_open(project, now)), status


@bp.get("/projects/<int:project_id>")
@role_required(Role.SOCIAL_ORG)
def project(project_id: int) -> tuple[str, int]:
    project = project_or_404(project_id)
    bid = own_bid(project)
    form = BidForm(data={"price": bid.price_fen / 100, "delivery_plan": bid.delivery_plan,
                         "team": bid.team} if bid else None)
    return _render(project, form)


@bp.post("/projects/<int:project_id>/bid")
@role_required(Role.SOCIAL_ORG)
def bid(project_id: int) -> Response | tuple[str, int]:
    """Submit a sealed bid, or replace the earlier one, before the tender closes."""
    project = project_or_404(project_id)
    form = BidForm()
    if not form.validate_on_submit():
        return _render(project, form, 400)
    price_fen = to_fen(form.price.data)
    if price_fen is None or price_fen <= 0:
        form.price.errors.append(_("The price must be above zero."))
        return _render(project, form, 400)
    done = attempt(form, lambda: submit_bid(project_id, actor=current_user,
                                            now=current_time(), price_fen=price_fen,
                                            delivery_plan=form.delivery_plan.data,
                                            team=form.team.data or "",
                                            documents=uploads_from(request.files.getlist(
                                                form.documents.name))))
    if done is None:
        return _render(project, form, 409)
    flash(_("Your sealed bid is in. Nobody can read it before the tender closes."))
    return redirect(url_for("ngo.project", project_id=project_id))


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/report")
@role_required(Role.SOCIAL_ORG)
def report(project_id: int, milestone_id: int) -> Response | tuple[str, int]:
    project = project_or_404(project_id)
    if project.award is None or project.award.organization_id != current_user.organization_id:
        abort(403)
    form = ReportForm()
    if form.validate_on_submit() and attempt(form, lambda: report_progress(
            project_id, milestone_id, actor=current_user, now=current_time(),
            body=form.body.data,
            people_served=form.people_served.data or 0,
            evidence=uploads_from(request.files.getlist(form.evidence.name)))):
        flash(_("Progress reported; the community will review it."))
        return redirect(url_for("ngo.project", project_id=project_id))
    db.session.expire_all()
    return _render(project, BidForm(formdata=None), 400, report_form=form, report_for=milestone_id)


@bp.route("/projects/<int:project_id>/bid/withdraw", methods=["GET", "POST"])
@role_required(Role.SOCIAL_ORG)
def withdraw(project_id: int) -> Response | tuple[str, int]:
    """Ask first (GET shows what will be withdrawn), then withdraw on the confirming POST."""
    project = project_or_404(project_id)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: withdraw_bid(
            project_id, actor=current_user, now=current_time())):
        flash(_("Your bid is withdrawn. You may submit a new one until the tender closes."))
        return redirect(url_for("ngo.project", project_id=project_id))
    bid = own_bid(project)
    if bid is None:  # nothing (left) to withdraw, or the refusal was flashed: say it there
        return redirect(url_for("ngo.project", project_id=project_id))
    return render_template("ngo/withdraw.html", project=project, bid=bid, form=form), \
        409 if form.is_submitted() else 200


@bp.post("/projects/<int:project_id>/questions")
@role_required(Role.SOCIAL_ORG)
def question(project_id: int) -> Response | tuple[str, int]:
    """Ask about the tender during the enquiry period; the answer will be public."""
    project = project_or_404(project_id)
    form = QuestionForm()
    if form.validate_on_submit() and attempt(form, lambda: ask_question(
            project_id, form.body.data, actor=current_user, now=current_time())):
        flash(_("Your question is sent. The answer will be published on the project page."))
        return redirect(url_for("ngo.project", project_id=project_id))
    db.session.expire_all()
    return _render(project, BidForm(formdata=None), 400, question_form=form)
