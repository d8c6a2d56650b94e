"""Evaluator pages: projects in evaluation, scoring with the no-conflict declaration, one's own
sheet once it is in, and declaring a conflict (which recuses the evaluator)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from marketplace.extensions import db
from marketplace.lifecycle import DECISIONS, State
from marketplace.models import PanelAssignment, Project, Role
from marketplace.services.core.visibility import on_panel
from marketplace.services.evaluation import panels
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.implementation.duties import evaluation_overdue
from marketplace.web.forms import ActionForm
from marketplace.web.pages import (
    attempt,
    current_time,
    decide_as_panel,
    panel_decisions,
    project_or_404,
)
from marketplace.web.roles.auth import role_required

bp = Blueprint("evaluator", __name__, url_prefix="/evaluator")


class ScoreForm(FlaskForm):
    """Indicator scores come as ``score-<code>`` fields; the service checks each range."""

    comments = TextAreaField(validators=[Optional(), Length(max=5000)])
    no_conflict = BooleanField()


class RecuseForm(FlaskForm):
    """What the conflict is; ``panels.recuse`` requires it and keeps it on record."""

    reason = TextAreaField(validators=[Optional(), Length(max=2000)])


@bp.get("/")
@role_required(Role.EVALUATOR, approved=False)
def index() -> str:
    projects = db.session.execute(
        db.select(Project).join(PanelAssignment)
        .where(Project.state == State.EVALUATION, PanelAssignment.evaluator_id == current_user.id,
               PanelAssignment.recused_at.is_(None))
        .order_by(Project.id)).scalars().all()
    return render_template("evaluator/index.html", projects=projects, now=current_time())


def _panel_project(project_id: int) -> Project:
    """The scoring page is the panel's workspace (it shows the panel's score so far): an
    evaluator on no seat of this panel (never appointed, or recused) finds nothing here, and
    reads the project's public page like anyone."""
    project = project_or_404(project_id)
    if not on_panel(project, current_user):
        abort(404)
    return project


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@role_required(Role.EVALUATOR)
def score(project_id: int) -> str | Response | tuple[str, int]:
    project = _panel_project(project_id)
    form = ScoreForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        scores = {key.removeprefix("score-"): value for key, value in request.form.items()
                  if key.startswith("score-")}
        holder = _FieldErrors()
        if attempt(holder, lambda: evaluate(project_id, actor=current_user,
                                            now=current_time(), scores=scores,
                                            comments=form.comments.data or "",
                                            no_conflict=bool(form.no_conflict.data))):
            flash(_("Your evaluation is recorded."))
            return redirect(url_for("evaluator.index"))
        errors = holder.fields
    status = 400 if form.is_submitted() else 200
    return _score_page(project, form, errors, status)


def _score_page(project: Project, form: ScoreForm, errors: dict[str, list[str]],
                status: int, action_form: ActionForm | None = None,
                recuse_form: RecuseForm | None = None) -> tuple[str, int]:
    mine = next((e for e in project.evaluations if e.evaluator_id == current_user.id
                 and e.round == project.rectifications + 1), None)
    return render_template("evaluator/score.html", project=project, form=form, errors=errors,
                           typed=request.form if form.is_submitted() else {},
                           scored=mine is not None, mine=mine,
                           recuse_form=recuse_form or RecuseForm(formdata=None),
                           score=project.evaluation_score(), tally=project.panel_tally,
                           decisions=panel_decisions(project),
                           overdue=evaluation_overdue(project, current_time()),
                           action_form=action_form or ActionForm()), status


@bp.post(f"/projects/<int:project_id>/<any({', '.join(DECISIONS)}):trigger>")
@role_required(Role.EVALUATOR)
def decide(project_id: int, trigger: str) -> Response | tuple[str, int]:
    """After the panel has scored: close out, send back once for rectification, or terminate."""
    project = _panel_project(project_id)
    return decide_as_panel(project, trigger, lambda form: _score_page(
        project, ScoreForm(formdata=None), {}, 409, action_form=form))


@bp.post("/projects/<int:project_id>/recuse")
@role_required(Role.EVALUATOR)
def recuse(project_id: int) -> Response | tuple[str, int]:
    """Declaring a conflict of interest instead of ticking "no conflict": the seat is given up,
    any sheet stops counting, the reason stays on the record."""
    project = _panel_project(project_id)
    form = RecuseForm()
    if form.validate_on_submit() and attempt(form, lambda: panels.declare_conflict(
            project_id, actor=current_user, reason=form.reason.data or "",
            now=current_time())):
        flash(_("Your conflict of interest is recorded; you no longer sit on this panel."))
        return redirect(url_for("evaluator.index"))
    return _score_page(project, ScoreForm(formdata=None), {}, 400, recuse_form=form)


class _FieldErrors:
    """Collects a service refusal under its field name (an indicator code or ``no_conflict``)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def __getattr__(self, name: str) -> _Slot:
        return _Slot(self.fields.setdefault(name, []))


class _Slot:
    def __init__(self, errors: list[str]) -> None:
        self._errors = errors

    @property
    def errors(self) -> list[str]:
        return self._errors

    @errors.setter
    def errors(self, value: list[str]) -> None:
        self._errors[:] = value
