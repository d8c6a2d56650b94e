"""Enterprise pages: subscribe to a project (with a confirmation step), the portfolio with its
credit, moving or withdrawing credit, and applying for a station's naming rights."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Match, Project, Role, Subscription
from marketplace.models.naming import MINIMUM_DONATION_FEN
from marketplace.services.core.errors import NotFound
from marketplace.services.packaging.naming import (
    applications_by_sponsor,
    apply_for_naming,
    nameable_stations,
)
from marketplace.services.record.transparency import stake
from marketplace.services.subscription.credit import (
    check_within,
    credit_fen,
    credit_steps,
    withdraw_credit,
)
from marketplace.services.subscription.funding import check_amount, subscribe_from_credit
from marketplace.services.subscription.funding import subscribe as subscribe_service
from marketplace.services.subscription.receipts import receipt_for
from marketplace.web.forms import MoveCreditForm, NamingForm, SubscribeForm, WithdrawCreditForm
from marketplace.web.infra.filters import yuan
from marketplace.web.pages import attempt, current_time, project_or_404, to_fen
from marketplace.web.public.site import flash_clause
from marketplace.web.receipts import receipt_download
from marketplace.web.roles.auth import role_required

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")


@bp.get("/")
@role_required(Role.ENTERPRISE, approved=False)
def portfolio() -> str:
    subscriptions = db.session.execute(
        db.select(Subscription).where(Subscription.enterprise_id == current_user.organization_id)
        .options(selectinload(Subscription.project))
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())).scalars().all()
    organization_id = current_user.organization_id
    return render_template("enterprise/portfolio.html", subscriptions=subscriptions,
                           credit=credit_fen(organization_id),
                           steps=credit_steps(organization_id),
                           namings=applications_by_sponsor(organization_id))


@bp.get("/subscriptions/<int:subscription_id>/receipt.pdf")
@login_required
def receipt(subscription_id: int) -> Response:
    """The 认购凭证 PDF of one of the enterprise's subscriptions (the administrator may
    fetch any); for anyone else there is no such subscription."""
    try:
        found = receipt_for(subscription_id, current_user, now=current_time())
    except NotFound:
        abort(404)
    return receipt_download(found)


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
    if amount_fen is None:
        form.amount.errors.append(_("The amount must be above zero."))
    else:
        attempt(form, lambda: check_amount(project, amount_fen))
    if form.errors:
        return render_template("enterprise/subscribe.html", project=project, form=form,
                               confirming=False), 400
    if form.confirmed.data != "yes":
        return render_template("enterprise/subscribe.html", project=project, form=form,
                               confirming=True, amount_fen=amount_fen)
    subscription = attempt(form, lambda: subscribe_service(
        project_id, amount_fen, actor=current_user, now=current_time()))
    if subscription:
        flash(_("Thank you: your subscription is recorded."))
        return redirect(url_for("enterprise.subscribed", subscription_id=subscription.id))
    return render_template("enterprise/subscribe.html", project=project, form=form,
                           confirming=False), 409


@bp.get("/subscriptions/<int:subscription_id>")
@role_required(Role.ENTERPRISE, approved=False)
def subscribed(subscription_id: int) -> str:
    """The confirmation: what was subscribed, what the fund matched, what the enterprise holds
    in the project now. Another enterprise's subscription is not there (404)."""
    subscription = db.session.get(Subscription, subscription_id) \
        if subscription_id <= 2**31 - 1 else None
    if subscription is None or subscription.enterprise_id != current_user.organization_id:
        abort(404)
    match = db.session.execute(db.select(Match).where(
        Match.subscription_id == subscription.id)).scalar_one_or_none()
    return render_template("enterprise/subscribed.html", subscription=subscription,
                           project=subscription.project, match=match,
                           stake=stake(subscription.project_id, subscription.enterprise_id))


def _open_projects() -> list[Project]:
    now = current_time()
    return list(db.session.execute(
        db.select(Project).where(Project.state == State.SUBSCRIPTION,
                                 Project.subscription_closes_at > now)
        .order_by(Project.subscription_closes_at, Project.id)).scalars())


def _amount(form: MoveCreditForm | WithdrawCreditForm, credit: int) -> int | None:
    """The typed amount in fen, or None with the error next to the field."""
    amount_fen = to_fen(form.amount.data)
    if amount_fen is None:
        form.amount.errors.append(_("The amount must be above zero."))
    else:
        attempt(form, lambda: check_within(amount_fen, credit))
    return None if form.errors else amount_fen


@bp.route("/credit/move", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def move_credit() -> str | Response | tuple[str, int]:
    """Credit to a project in subscription: shown back once, then moved on confirmation."""
    credit = credit_fen(current_user.organization_id)
    projects = _open_projects()
    form = MoveCreditForm()
    form.project.choices = [(p.id, f"{p.title} · {yuan(p.remaining_fen)}") for p in projects]

    def page(status: int = 200, **extra: object) -> tuple[str, int]:
        chosen = next((p for p in projects if p.id == form.project.data), None)
        return render_template("enterprise/move_credit.html", form=form, credit=credit,
                               project=chosen, **extra), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    if form.project.data not in {p.id for p in projects}:
        form.project.errors.append(_("Choose a project open for subscription."))
    amount_fen = _amount(form, credit)
    if form.errors or amount_fen is None:
        return page(400)
    if form.confirmed.data != "yes":
        return page(confirming=True, amount_fen=amount_fen)
    if attempt(form, lambda: subscribe_from_credit(form.project.data, amount_fen,
                                                   actor=current_user, now=current_time())):
        flash(_("Your credit is moved to the project."))
        return redirect(url_for("enterprise.portfolio"))
    return page(409)


@bp.route("/credit/withdraw", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def withdraw() -> str | Response | tuple[str, int]:
    """Credit paid back to the enterprise's bank account, with its reason, on confirmation."""
    credit = credit_fen(current_user.organization_id)
    form = WithdrawCreditForm()

    def page(status: int = 200, **extra: object) -> tuple[str, int]:
        return render_template("enterprise/withdraw.html", form=form, credit=credit,
                               **extra), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    amount_fen = _amount(form, credit)
    if amount_fen is None:
        return page(400)
    if form.confirmed.data != "yes":
        return page(confirming=True, amount_fen=amount_fen)
    if attempt(form, lambda: withdraw_credit(amount_fen, form.reason.data, actor=current_user,
                                             now=current_time())):
        flash(_("The credit will be paid to your bank account."))
        return redirect(url_for("enterprise.portfolio"))
    return page(409)


@bp.route("/naming", methods=["GET", "POST"])
@role_required(Role.ENTERPRISE)
def naming() -> str | Response | tuple[str, int]:
    """Apply for a station's name with a directed donation; its community chooses."""
    form = NamingForm()
    stations = nameable_stations()
    form.station.choices = [(s.id, f"{s.display_name} · {s.county} {s.town}") for s in stations]
    if not form.validate_on_submit():
        return render_template("enterprise/naming.html", form=form), \
            400 if form.is_submitted() else 200
    if form.station.data not in {s.id for s in stations}:
        form.station.errors.append(_("Choose an approved station."))
    donation_fen = to_fen(form.donation.data)
    if donation_fen is None or donation_fen < MINIMUM_DONATION_FEN:
        form.donation.errors.append(_("Naming a station takes a directed donation of at "
                                      "least %(min)s.", min=yuan(MINIMUM_DONATION_FEN)))
        flash_clause("naming-donation")
    if form.errors or donation_fen is None:
        return render_template("enterprise/naming.html", form=form), 400
    if attempt(form, lambda: apply_for_naming(form.station.data, form.name.data, donation_fen,
                                              actor=current_user, now=current_time())):
        flash(_("Your application is sent to the station's community."))
        return redirect(url_for("enterprise.portfolio"))
    return render_template("enterprise/naming.html", form=form), 409
