"""Administrator pages: approve organizations and stations, review bundles, audit trails."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AuditEvent,
    Organization,
    OrgStatus,
    Project,
    Review,
    Role,
    Station,
    StationStatus,
)
from marketplace.services.approvals import decide_organization, decide_station
from marketplace.services.moves import move
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
    return render_template("admin/index.html", organizations=organizations, stations=stations,
                           bundles=bundles, form=form or ActionForm()), status


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


@bp.post("/stations/<int:station_id>")
@role_required(Role.ADMIN)
def station(station_id: int) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        if attempt(form, lambda: decide_station(station_id, actor=current_user,
                                                now=current_time(),
                                                approve=approve)):
            flash(_("Station approved.") if approve else _("Station rejected."))
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
