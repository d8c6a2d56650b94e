"""Enterprise pages: subscribe to a project (with a confirmation step) and the portfolio."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.models import Role, Subscription
from marketplace.services.funding import subscribe as subscribe_service
from marketplace.web.auth import role_required
from marketplace.web.filters import yuan
from marketplace.web.forms import SubscribeForm
from marketplace.web.pages import attempt, current_time, project_or_404, to_fen

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")


@bp.get("/")
@role_required(Role.ENTERPRISE, approved=False)
def portfolio() -> str:
    subscriptions = db.session.execute(
        db.select(Subscription).where(Subscription.enterprise_id == current_user.organization_id)
        .options(selectinload(Subscription.project))
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())).scalars().all()
    return render_template("enterprise/portfolio.html", subscriptions=subscriptions)


@bp.route("/projects/<int:project_id>/subscribe", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def subscribe(project_id: int) -> str | Response | tuple[str, int]:
    """First post shows the amount back for confirmation; the second (confirmed) commits it."""
    project = project_or_404(project_id)
    form = SubscribeForm()
    if not form.validate_on_submit():
        return render_template("enterprise/subscribe.html", project=project, form=form,
                               confirming=False), 400 if form.is_submitted() else 200
    amount_fen = to_fen(form.amount.data)
    if amount_fen is None or amount_fen <= 0:
        form.amount.errors.append(_("The amount must be above zero."))
    elif amount_fen > project.remaining_fen:
        form.amount.errors.append(_("At most %(remaining)s may still be subscribed.",
                                    remaining=yuan(project.remaining_fen)))
    if form.errors:
        return render_template("enterprise/subscribe.html", project=project, form=form,
                               confirming=False), 400
    if form.confirmed.data != "yes":
        return render_template("enterprise/subscribe.html", project=project, form=form,
                               confirming=True, amount_fen=amount_fen)
    if attempt(form, lambda: subscribe_service(project_id, amount_fen, actor=current_user,
                                                      now=current_time())):
        flash(_("Thank you: your subscription is recorded."))
        return redirect(url_for("enterprise.portfolio"))
    return render_template("enterprise/subscribe.html", project=project, form=form,
                           confirming=False), 409
