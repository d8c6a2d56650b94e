"""Administrator pages: approve organizations, review bundles, audit trails; the queue of
stations (decided on ``web/stations.py``'s page)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    AuditEvent,
    Organization,
    OrgStatus,
    Project,
    Review,
    Role,
    Station,
    StationStatus,
)
from marketplace.services.approvals import decide_organization
from marketplace.services.moves import move
from marketplace.services.panels import active_members, assign_panel
from marketplace.web.auth import role_required
from marketplace.web.forms import ActionForm
from marketplace.web.pages import attempt, current_time, project_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(form: ActionForm | None = None, status: int = 200) -> tuple[str, int]:
    organizations = db.session.execute(
        db.select(Organization).where(Organization.status == OrgStatus.PENDING)
        .order_by(Organization.id)).scalars().all()
    stations = db.session.execute(
        db.select(Station).where(Station.status == StationStatus.PENDING)
        .order_by(Station.id)).scalars().all()
    bundles = db.session.execute(
        db.select(Project).where(Project.state == State.PACKAGING,
                                 Project.review == Review.SUBMITTED)
        .order_by(Project.id)).scalars().all()
    needing_panel = [p for p in db.session.execute(
        db.select(Project).where(Project.state.in_([State.IMPLEMENTATION, State.EVALUATION]))
        .options(selectinload(Project.panel)).order_by(Project.id)).scalars()
        if len(active_members(p)) < current_app.config["PANEL_SIZE"]]
    evaluators = db.session.execute(
        db.select(Account).join(Organization).where(Organization.role == Role.EVALUATOR,
                                                    Organization.status == OrgStatus.APPROVED)
        .order_by(Account.id)).scalars().all() if needing_panel else []
    return render_template("admin/index.html", organizations=organizations, stations=stations,
                           bundles=bundles, needing_panel=needing_panel, evaluators=evaluators,
                           form=form or ActionForm()), status


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/organizations/<int:organization_id>")
@role_required(Role.ADMIN)
def organization(organization_id: int) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        if attempt(form, lambda: decide_organization(organization_id, actor=current_user,
                                                     now=current_time(),
                                                     approve=approve)):
            flash(_("Organization approved.") if approve else _("Organization rejected."))
    return redirect(url_for("admin.index"))


@bp.post("/panels/<int:project_id>")
@role_required(Role.ADMIN)
def panel(project_id: int) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        chosen = [int(i) for i in request.form.getlist("evaluator_ids") if i.isdigit()]
        if attempt(form, lambda: assign_panel(project_id, chosen, actor=current_user,
                                              now=current_time())):
            flash(_("Panel appointed."))
    return redirect(url_for("admin.index"))


@bp.post("/bundles/<int:project_id>")
@role_required(Role.ADMIN)
def review(project_id: int) -> Response | tuple[str, int]:
    """Approve publishes the bundle; reject sends it back to the community with a reason."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    approve = request.form.get("decision") == "approve"
    trigger = "publish" if approve else "reject"
    done = attempt(form, lambda: move(project_id, trigger, actor=current_user,
                                      now=current_time(),
                                      reason=(form.reason.data or "").strip() or None))
    if done is None:
        return _page(form, 409 if approve else 400)
    flash(_("Bundle published.") if approve else _("Bundle sent back to the community."))
    return redirect(url_for("admin.index"))


@bp.get("/projects/<int:project_id>/audit")
@role_required(Role.ADMIN)
def audit(project_id: int) -> str:
    project = project_or_404(project_id)
    events = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.at, AuditEvent.id)).scalars().all()
    return render_template("admin/audit.html", project=project, events=events)
