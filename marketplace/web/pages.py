"""What every page shares: reading a money field, showing a refused action next to its
form, checking a move, finding a project the reader may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response
from wtforms import Field, FieldList, FormField

from marketplace.clock import current_time
from marketplace.extensions import db
from marketplace.lifecycle import DECISIONS, MoveRefused
from marketplace.models import Project
from marketplace.services.core.access import may_move
from marketplace.services.core.errors import Forbidden, ServiceError
from marketplace.services.core.moves import allowed_moves, move
from marketplace.services.core.visibility import may_see
from marketplace.services.finance import consequences
from marketplace.web.forms import ActionForm
from marketplace.web.infra.errors import translated
from marketplace.web.public.site import flash_clause

T = TypeVar("T")
MAX_YUAN = Decimal("100000000")  # 1 亿: anything above is a typing mistake on these forms


def to_fen(amount: Decimal | None) -> int | None:
    """Yuan typed in a form → integer fen; None when it is not a usable number."""
    try:
        if amount is None or not amount.is_finite() or abs(amount) > MAX_YUAN:
            return None
        return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None


def _named(fields: Iterable[Field], name: str) -> Field | None:
    """The form's field of this full name, inside lists of rows too (``items-0-unit_cost``)."""
    for field in fields:
        if field.name == name:
            return field
        if isinstance(field, FieldList | FormField) and (inner := _named(field, name)):
            return inner
    return None


def attempt(form: FlaskForm | None, action: Callable[[], T],
            where: Callable[[ServiceError | MoveRefused], str | None] | None = None
            ) -> T | None:
    """Call one service; a refusal goes next to its field (or on top of the page), nothing saved.
    A service that found several problems at once (``AllInvalid``) has each said by its field;
    ``where`` names the form's field for a refusal whose field the form calls otherwise."""
    try:
        return action()
    except (ServiceError, MoveRefused) as error:
        db.session.rollback()
        say(form, getattr(error, "errors", (error,)), where)
        flash_clause(getattr(error, "clause", None))
        return None


def say(form: FlaskForm | None, errors: Iterable[ServiceError | MoveRefused],
        where: Callable[[ServiceError | MoveRefused], str | None] | None = None,
        only_new: bool = False) -> None:
    """Each refusal next to its field, or on top of the page; ``only_new``: not beside a field
    the form's own checks already answered."""
    for one in errors:
        message = translated(one)
        field = (where(one) if where else None) or getattr(one, "field", None)
        target = getattr(form, field, None) if form is not None and field else None
        if target is None and isinstance(form, FlaskForm) and field:
            target = _named(form, field)
        if target is not None and hasattr(target, "errors"):
            if not (only_new and target.errors):
                target.errors = [*target.errors, message]
        else:
            flash(message, "error")


def may_move_or_403(project: Project, trigger: str) -> None:
    """A move this account may not fire is answered 403 with the reason, before it is tried."""
    try:
        may_move(current_user, project, trigger)
    except Forbidden as refused:
        abort(403, translated(refused))


def panel_decisions(project: Project) -> dict[str, list[consequences.Said]]:
    """The panel's decisions this account may make now, each with what it will do."""
    allowed = allowed_moves(current_user, project, current_time())
    return {trigger: consequences.deciding(project, trigger)
            for trigger in DECISIONS if trigger in allowed}


def decide_as_panel(project: Project, trigger: str,
                    again: Callable[[ActionForm], tuple[str, int]]) -> Response | tuple[str, int]:
    """A panel decision posted from a page (the evaluator's or the administrator's): refused
    before it is tried when this account may not fire it; ``again`` renders the page anew
    with the refusal when the lifecycle says no."""
    may_move_or_403(project, trigger)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: move(
            project.id, trigger, actor=current_user, now=current_time(),
            reason=(form.reason.data or "").strip() or None)):
        flash(_("Done."))
        return redirect(url_for("pages.project", project_id=project.id))
    db.session.expire_all()
    return again(form)


def project_or_404(project_id: int, *options: ORMOption) -> Project:
    """The project, if the signed-in account (or the visitor) may see it: every page with a
    project id comes through here, so a draft's id answers 404 like one that never existed."""
    if project_id > 2**31 - 1:  # past PostgreSQL's integer: cannot exist, and the query would fail
        abort(404)
    project = db.session.get(Project, project_id, options=options)
    if project is None or not may_see(project, current_user):
        abort(404)
    return project


# What the public project page shows of a project, loaded with it rather than one lazy query
# each: six round trips fewer per view (bench/README.md). One collection only is joined (a
# project has a handful of milestones): joining more would multiply the rows.


