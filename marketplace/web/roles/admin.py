"""Administrator pages: approve organizations, review bundles, audit trails, match offers and
evaluation awards; the queue of stations (decided on ``web/stations.py``'s page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.lifecycle import DECISIONS, State
from marketplace.models import (
    Account,
    AuditEvent,
    Organization,
    OrgStatus,
    Project,
    Role,
)
from marketplace.models.catalog import ServiceArea
from marketplace.services.core.moves import move
from marketplace.services.evaluation.evaluation_awards import grant_award, ranking
from marketplace.services.evaluation.panels import active_members, assign_panel, set_quorum
from marketplace.services.finance.ledger import FUND_SOURCES
from marketplace.services.identity import tasks
from marketplace.services.identity.approvals import decide_organization
from marketplace.services.implementation.duties import pending_evaluators
from marketplace.services.subscription.matching import OfferDraft, close_offer, offers, open_offer
from marketplace.web.forms import (
    ActionForm,
    EvaluationAwardForm,
    MatchOfferForm,
    QuorumForm,
    too_large,
)
from marketplace.web.infra.labels import localized
from marketplace.web.pages import (
    attempt,
    current_time,
    decide_as_panel,
    panel_decisions,
    project_or_404,
    to_fen,
)
from marketplace.web.roles.auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(form: ActionForm | None = None, status: int = 200) -> tuple[str, int]:
    now = current_time()  # the queues are the administrator's tasks of these kinds
    organizations = tasks.rows("approve_organization", current_user, now)
    stations = tasks.rows("review_station", current_user, now)
    bundles = tasks.rows("review_bundle", current_user, now)
    with_panel = list(db.session.execute(
        db.select(Project).where(Project.state.in_([State.IMPLEMENTATION, State.EVALUATION]))
        .options(selectinload(Project.panel), selectinload(Project.evaluations))
        .order_by(Project.id)).scalars())
    needing_panel = [p for p in with_panel
                     if len(active_members(p)) < current_app.config["PANEL_SIZE"]]
    in_evaluation = [p for p in with_panel if p.state is State.EVALUATION]
    evaluators = db.session.execute(
        db.select(Account).join(Organization).where(Organization.role == Role.EVALUATOR,
                                                    Organization.status == OrgStatus.APPROVED)
        .order_by(Account.id)).scalars().all() if needing_panel else []
    return render_template("admin/index.html", organizations=organizations, stations=stations,
                           bundles=bundles, needing_panel=needing_panel, evaluators=evaluators,
                           in_evaluation=in_evaluation,
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
        chosen = [int(i) for i in request.form.getlist("evaluator_ids")
                  if i.isdigit() and not too_large(i)]  # no account has a larger id
        if attempt(form, lambda: assign_panel(project_id, chosen, actor=current_user,
                                              now=current_time())):
            flash(_("Panel appointed."))
    return redirect(url_for("admin.index"))


def _panel_page(project: Project, status: int = 200, *, quorum_form: QuorumForm | None = None,
                action_form: ActionForm | None = None) -> tuple[str, int]:
    form = quorum_form or QuorumForm(data={"quorum": project.panel_quorum})
    return render_template("admin/panel.html", project=project, tally=project.panel_tally,
                           pending=pending_evaluators(project), quorum_form=form,
                           action_form=action_form or ActionForm(),
                           decisions=panel_decisions(project)), status


@bp.route("/projects/<int:project_id>/panel", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def panel_of(project_id: int) -> Response | tuple[str, int]:
    """The project's panel: who sits, who has scored this round, the quorum and the decision."""
    project = project_or_404(project_id)
    form = QuorumForm()
    if not form.is_submitted():
        return _panel_page(project)
    if form.validate() and attempt(form, lambda: set_quorum(
            project_id, form.quorum.data, actor=current_user, now=current_time())):
        flash(_("Quorum saved."))
        return redirect(url_for("admin.panel_of", project_id=project_id))
    db.session.expire_all()
    return _panel_page(project, 400, quorum_form=form)


@bp.post(f"/projects/<int:project_id>/<any({', '.join(DECISIONS)}):trigger>")
@role_required(Role.ADMIN)
def decide(project_id: int, trigger: str) -> Response | tuple[str, int]:
    """The administrator decides for the panel once it has scored (or its quorum has)."""
    project = project_or_404(project_id)
    return decide_as_panel(project, trigger,
                           lambda form: _panel_page(project, 409, action_form=form))


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


@bp.get("/match-offers")
@role_required(Role.ADMIN)
def match_offers() -> str:
    return render_template("admin/match_offers.html", offers=offers(), now=current_time(),
                           form=ActionForm(), sources=FUND_SOURCES)


def _day_starts(day: date) -> datetime:
    """Midnight in the deployment's time zone, stored as naive UTC."""
    local = datetime.combine(day, time()).replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return local.astimezone(UTC).replace(tzinfo=None)


def _offer_form() -> MatchOfferForm:
    form = MatchOfferForm()
    form.source_code.choices = [(code, _(name)) for code, name in FUND_SOURCES.items()]
    form.service_areas.choices = [
        (a.code, localized(a)) for a in db.session.execute(
            db.select(ServiceArea).order_by(ServiceArea.code)).scalars()]
    return form


@bp.route("/match-offers/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_match_offer() -> str | Response | tuple[str, int]:
    """Open a match offer: ratio, caps and budget in yuan, eligible areas and counties, dates
    (from the opening day's start to the end of the closing day)."""
    form = _offer_form()
    if not form.validate_on_submit():
        return render_template("admin/match_offer.html", form=form), \
            400 if form.is_submitted() else 200
    amounts = {}
    for name in ("cap_per_subscription_fen", "cap_per_project_fen", "budget_fen"):
        field = getattr(form, name)
        amounts[name] = to_fen(field.data)
        if amounts[name] is None or amounts[name] <= 0:
            field.errors.append(_("Give an amount above zero."))
    if form.closes_at.data < form.opens_at.data:
        form.closes_at.errors.append(_("The offer must open before it closes."))
    if form.errors:
        return render_template("admin/match_offer.html", form=form), 400
    counties = [c.strip() for c in (form.counties.data or "").replace("，", ",").split(",")
                if c.strip()]
    draft = OfferDraft(name=form.name.data, ratio_pct=form.ratio_pct.data,
                       opens_at=_day_starts(form.opens_at.data),
                       closes_at=_day_starts(form.closes_at.data + timedelta(days=1)),
                       service_areas=form.service_areas.data or [], counties=counties,
                       source_code=form.source_code.data, **amounts)
    if attempt(form, lambda: open_offer(draft, actor=current_user, now=current_time())):
        flash(_("Match offer opened."))
        return redirect(url_for("admin.match_offers"))
    return render_template("admin/match_offer.html", form=form), 400


@bp.post("/match-offers/<int:offer_id>/close")
@role_required(Role.ADMIN)
def close_match_offer(offer_id: int) -> Response:
    if offer_id > 2**31 - 1:  # past PostgreSQL's integer: cannot exist
        abort(404)
    form = ActionForm()
    if form.validate_on_submit() and attempt(
            form, lambda: close_offer(offer_id, actor=current_user, now=current_time())):
        flash(_("Match offer closed."))
    return redirect(url_for("admin.match_offers"))


@bp.get("/evaluation-awards")
@role_required(Role.ADMIN)
def evaluation_awards() -> str:
    """Completed projects, best panel score first; excellent ones flagged."""
    return render_template("admin/evaluation_awards.html", ranked=ranking())


@bp.route("/evaluation-awards/<int:project_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def evaluation_award(project_id: int) -> str | Response | tuple[str, int]:
    project = project_or_404(project_id)
    entry = next((r for r in ranking() if r.project.id == project.id), None)
    if entry is None:
        abort(404)
    form = EvaluationAwardForm()
    if not form.validate_on_submit():
        return render_template("admin/evaluation_award.html", entry=entry, form=form), \
            400 if form.is_submitted() else 200
    amount_fen = to_fen(form.amount.data)
    if amount_fen is None or amount_fen <= 0:
        form.amount.errors.append(_("Give an amount above zero."))
        return render_template("admin/evaluation_award.html", entry=entry, form=form), 400
    if attempt(form, lambda: grant_award(project.id, amount_fen, form.citation.data or "",
                                         actor=current_user, now=current_time())):
        flash(_("Evaluation award granted."))
        return redirect(url_for("admin.evaluation_awards"))
    return render_template("admin/evaluation_award.html", entry=entry, form=form), 409
