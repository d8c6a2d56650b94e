"""Community pages: build and submit bundles, award the tender, review milestones, cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.models import (
    BeneficiaryGroup,
    MilestoneStatus,
    NamingStatus,
    Project,
    Role,
    ServiceType,
    Station,
)
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
    MilestoneLine,
    create_bundle,
    editable,
    problems,
    update_bundle,
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
    ItemForm,
    MilestoneForm,
    ReviewForm,
)
from marketplace.web.infra.filters import yuan
from marketplace.web.infra.labels import localized
from marketplace.web.pages import attempt, current_time, project_or_404, say, to_fen
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


def _catalog() -> dict[str, ServiceType]:
    return {s.code: s for s in db.session.execute(
        db.select(ServiceType).order_by(ServiceType.code)).scalars()}


def _bundle_form(catalog: dict[str, ServiceType], **data: object) -> BundleForm:
    form = BundleForm(**data)
    form.station.choices = [SelectChoice(s.id, s.name) for s in _stations() if s.is_approved]
    form.groups.choices = [SelectChoice(g.code, localized(g)) for g in db.session.execute(
        db.select(BeneficiaryGroup).order_by(BeneficiaryGroup.code)).scalars()]
    _row_choices(form, catalog)
    return form


def _row_choices(form: BundleForm, catalog: dict[str, ServiceType]) -> None:
    """Each row picks a catalog service, its unit and typical cost said in the choice."""
    choices = [SelectChoice("", "—"), *(SelectChoice(s.code, _(
        "%(code)s %(name)s · %(cost)s per %(unit)s (typical)", code=s.code, name=localized(s),
        cost=yuan(s.typical_unit_cost_fen), unit=localized(s, "unit")))
        for s in catalog.values())]
    for entry in form.items:
        entry.form.service.choices = choices


def _row_total(row: ItemForm) -> int | None:
    cost = to_fen(row.unit_cost.data) if row.unit_cost.data is not None else None
    if not row.service.data or not row.quantity.data or cost is None:
        return None
    return row.quantity.data * cost


def _rows_changed(form: BundleForm, catalog: dict[str, ServiceType]) -> bool:
    """The builder's own buttons: add a row (of items or of milestones), remove one, count
    the total again. The page is drawn again with what was typed, nothing saved (there is no
    script under the CSP)."""
    rows = {"items": form.items, "milestones": form.milestones}
    if (added := rows.get(request.form.get("add_row", ""))) is not None:
        if len(added) < added.max_entries:
            added.append_entry()
    elif (removed := request.form.get("remove_row", "")).rpartition("-")[0] in rows:
        listed = rows[removed.rpartition("-")[0]]
        kept = [e for e in listed.entries if e.name != removed]
        if kept and len(kept) < len(listed.entries):
            listed.entries = kept
    elif "recalculate" not in request.form:
        return False
    _row_choices(form, catalog)
    return True


def _lines(form: BundleForm) -> tuple[tuple[ItemLine, ...], list[ItemForm]]:
    """The rows that name a service, as item lines (the service checks their numbers), and
    the rows they came from; a row whose numbers cannot be read at all is answered here."""
    lines, rows = [], []
    for entry in form.items:
        row = entry.form
        if not row.service.data:
            continue
        cost = to_fen(row.unit_cost.data)
        if not row.quantity.data or cost is None:
            if not row.quantity.errors and not row.unit_cost.errors:
                row.unit_cost.errors = [*row.unit_cost.errors,
                                        _("Give a quantity and a unit cost above zero.")]
            continue
        lines.append(ItemLine(row.service.data, row.quantity.data, cost))
        rows.append(row)
    if not lines and not any(entry.errors for entry in form.items):
        first = form.items[0].form.service
        first.errors = [*first.errors, _("Add at least one service item.")]
    return tuple(lines), rows


def _steps(form: BundleForm) -> tuple[tuple[MilestoneLine, ...], list[MilestoneForm]]:
    """The milestone rows typed in (a row left empty is no step), for the service to check."""
    steps, rows = [], []
    for entry in form.milestones:
        row = entry.form
        if not (row.title.data or "").strip() and row.due_on.data is None \
                and row.share_pct.data is None:
            continue
        steps.append(MilestoneLine((row.title.data or "").strip(), row.due_on.data,
                                   row.share_pct.data or 0))
        rows.append(row)
    return tuple(steps), rows


# the service's names for the bundle's fields, where the form calls them otherwise
FORM_FIELDS = {"funding_target_fen": "target", "funding_minimum_fen": "minimum"}


def _where(form: BundleForm, rows: list[ItemForm], steps: list[MilestoneForm]
           ) -> Callable[[object], str | None]:
    """Where on the form a refusal of the bundle service goes: an item's next to its row
    (one about all the items next to the first), a milestone's next to its step's field."""

    def where(error: object) -> str | None:
        field = getattr(error, "field", None) or ""
        n = getattr(error, "params", {}).get("n")
        if field == "items" and isinstance(n, int) and 0 < n <= len(rows):
            return rows[n - 1].unit_cost.name
        if field == "items":
            return (rows[0] if rows else form.items[0].form).service.name
        if field.startswith("milestones.") and steps:
            step = steps[n - 1] if isinstance(n, int) and 0 < n <= len(steps) else steps[-1]
            return getattr(step, field.partition(".")[2]).name
        return FORM_FIELDS.get(field, field or None)

    return where


def _draft(form: BundleForm, lines: tuple[ItemLine, ...],
           steps: tuple[MilestoneLine, ...]) -> BundleDraft | None:
    """The draft the service checks, when every date and amount could be read."""
    target, minimum = to_fen(form.target.data), to_fen(form.minimum.data)
    for money, value in ((form.target, target), (form.minimum, minimum)):
        if value is None and not money.errors:
            money.errors = [*money.errors, _("Give an amount above zero.")]
    dates = (form.subscription_opens_at.data, form.subscription_closes_at.data,
             form.tender_closes_at.data)
    if target is None or minimum is None or None in dates or form.enquiry_closes_at.errors:
        return None
    weights = _weights(form)
    return BundleDraft(title=form.title.data or "", items=lines, funding_target_fen=target,
                       funding_minimum_fen=minimum, summary=form.summary.data or "",
                       group_codes=tuple(form.groups.data or ()),
                       subscription_opens_at=_noon(dates[0]),
                       subscription_closes_at=_noon(dates[1]),
                       tender_closes_at=_noon(dates[2]),
                       enquiry_closes_at=_noon(form.enquiry_closes_at.data)
                       if form.enquiry_closes_at.data else None, milestones=steps,
                       price_weight_pct=weights[0], quality_weight_pct=weights[1])


def _builder(form: BundleForm, catalog: dict[str, ServiceType], status: int,
             project: Project | None = None) -> tuple[str, int]:
    rows = [_row_total(entry.form) for entry in form.items]
    return render_template("community/bundle.html", form=form, project=project,
                           catalog=catalog, row_totals=rows,
                           total=sum(r for r in rows if r is not None)), status


def _save(form: BundleForm, catalog: dict[str, ServiceType], project: Project | None,
          save: Callable[[BundleDraft], Project]) -> Response | tuple[str, int]:
    """One round: the form's own checks, then the service's (the lifecycle's guards of the
    bundle among them), every refusal next to its field; nothing saved unless all pass."""
    if not form.is_submitted():
        return _builder(form, catalog, 200, project)
    if _rows_changed(form, catalog):
        return _builder(form, catalog, 200, project)
    form.validate()
    lines, rows = _lines(form)
    steps, step_rows = _steps(form)
    draft = _draft(form, lines, steps)
    where = _where(form, rows, step_rows)
    refused = bool(form.errors) or any(entry.form.errors for entry in form.items)
    if draft is not None and refused:
        # the rules too, in this same round, beside the fields the form found nothing wrong in
        say(form, problems(draft, current_time()), where, only_new=True)
    if draft is None or refused:
        return _builder(form, catalog, 400, project)
    saved = attempt(form, lambda: save(draft), where=where)
    if saved is None:
        return _builder(form, catalog, 400, project)
    flash(_("Bundle saved. Check it, then submit it for review."))
    return redirect(url_for("community.project", project_id=saved.id))


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
    catalog = _catalog()
    form = _bundle_form(catalog)
    if not form.is_submitted():
        while len(form.items) < NEW_ROWS:
            form.items.append_entry()
        _row_choices(form, catalog)
    return _save(form, catalog, None, lambda draft: create_bundle(
        form.station.data, draft, actor=current_user, now=current_time()))


NEW_ROWS = 3  # rows a new bundle's form starts with; the builder adds more


def _as_typed(project: Project) -> dict[str, object]:
    """The bundle as its form shows it, to be changed."""
    return {
        "station": project.station_id, "title": project.title, "summary": project.summary,
        "groups": [g.code for g in project.groups],
        "items": [{"service": i.service_code, "quantity": i.quantity,
                   "unit_cost": Decimal(i.unit_cost_fen) / 100} for i in project.items] or [{}],
        "milestones": [{"title": m.title, "due_on": m.due_on, "share_pct": m.share_pct}
                       for m in project.milestones] or [{}],
        "price_weight": project.price_weight_pct, "quality_weight": project.quality_weight_pct,
        "target": Decimal(project.funding_target_fen) / 100,
        "minimum": Decimal(project.funding_minimum_fen) / 100,
        **{name: local_date(moment) for name in ("subscription_opens_at",
                                                  "subscription_closes_at",
                                                  "enquiry_closes_at", "tender_closes_at")
           if (moment := getattr(project, name)) is not None},
    }


@bp.route("/projects/<int:project_id>/bundle", methods=["GET", "POST"])
@role_required(Role.COMMUNITY)
def edit_bundle(project_id: int) -> Response | tuple[str, int]:
    """Change the bundle while it is packaged: a draft, or one the administrator sent back
    (its reason shown above the form). Under review or later it is not the community's to
    change (409, as a move refused)."""
    project = _own(project_id)
    if not editable(project):
        flash(_("The bundle can be changed only while it is packaged and not waiting for "
                "review."), "error")
        return _manage(project, 409)
    catalog = _catalog()
    form = _bundle_form(catalog, **({} if request.method == "POST" else
                                    {"data": _as_typed(project)}))
    form.station.choices = [SelectChoice(project.station_id, project.station.name)]
    return _save(form, catalog, project, lambda draft: update_bundle(  # the form has no count
        project_id, replace(draft, people_served=project.people_served), actor=current_user,
        now=current_time()))


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
