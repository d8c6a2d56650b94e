"""Complaint pages: a losing bidder lodges one in the standstill; the administrator decides."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from marketplace.extensions import db
from marketplace.lifecycle import in_standstill
from marketplace.models import BidStatus, Complaint, ComplaintStatus, Role
from marketplace.services.tendering.complaints import decide_complaint, lodge_complaint
from marketplace.web.pages import attempt, current_time, project_or_404
from marketplace.web.roles.auth import role_required

bp = Blueprint("complaints", __name__)


class ComplaintForm(FlaskForm):
    reasons = TextAreaField(validators=[Optional(), Length(max=5000)])


class DecisionForm(FlaskForm):
    reason = TextAreaField(validators=[Optional(), Length(max=2000)])


@bp.route("/ngo/projects/<int:project_id>/complaint", methods=["GET", "POST"])
@role_required(Role.SOCIAL_ORG)
def lodge(project_id: int) -> Response | tuple[str, int]:
    project = project_or_404(project_id)
    form = ComplaintForm()
    if form.validate_on_submit() and attempt(form, lambda: lodge_complaint(
            project_id, actor=current_user, reasons=form.reasons.data or "",
            now=current_time())):
        flash(_("Your complaint is lodged; the contract waits for the administrator's decision."))
        return redirect(url_for("complaints.lodge", project_id=project_id))
    db.session.expire_all()
    lost = any(b.organization_id == current_user.organization_id
               and b.status is BidStatus.LOST for b in project.bids)
    own = [c for c in project.complaints if c.organization_id == current_user.organization_id]
    status = 200 if not form.is_submitted() else 409
    return render_template("complaints/lodge.html", project=project, form=form, own=own,
                           may_complain=lost and in_standstill(project, current_time())), status


@bp.get("/admin/complaints")
@role_required(Role.ADMIN)
def index() -> tuple[str, int]:
    return _index(DecisionForm())


def _index(form: DecisionForm, status: int = 200) -> tuple[str, int]:
    rows = db.session.execute(db.select(Complaint).order_by(
        (Complaint.status == ComplaintStatus.OPEN).desc(), Complaint.lodged_at.desc(),
        Complaint.id.desc())).scalars().all()
    return render_template("complaints/index.html", complaints=rows, form=form), status


@bp.post("/admin/complaints/<int:complaint_id>/<any(uphold, dismiss):decision>")
@role_required(Role.ADMIN)
def decide(complaint_id: int, decision: str) -> Response | tuple[str, int]:
    form = DecisionForm()
    if form.validate_on_submit() and attempt(form, lambda: decide_complaint(
            complaint_id, actor=current_user, uphold=decision == "uphold",
            reason=form.reason.data or "", now=current_time())):
        flash(_("The complaint is decided."))
        return redirect(url_for("complaints.index"))
    db.session.expire_all()
    return _index(form, 409)


@bp.app_template_filter("complaint_status")
def complaint_status(value: str) -> str:
    return {"open": _("Open"), "upheld": _("Upheld"),
            "dismissed": _("Dismissed")}.get(value, value)
