"""Every signed-in person's home: the tasks waiting for them, the notification inbox, and the
two counts the header shows (``services.identity.tasks``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.models import Role
from marketplace.services.core.errors import NotFound
from marketplace.services.identity import tasks as work
from marketplace.services.record import notifications
from marketplace.web.api import MAX_ID
from marketplace.web.forms import ActionForm
from marketplace.web.pages import attempt, current_time
from marketplace.web.public.home import MAX_PAGE
from marketplace.web.roles.auth import role_required

bp = Blueprint("tasks", __name__)
EVERYONE = tuple(Role)
INBOX_PER_PAGE = 20
COUNTS_KEY = "marketplace.header_counts"


@bp.get("/tasks")
@role_required(*EVERYONE, approved=False)
def index() -> str:
    now = current_time()
    account = current_user._get_current_object()
    found = work.tasks_of(account, now)
    extra: dict[str, Any] = {}
    if account.role is Role.ENTERPRISE and account.organization.is_approved:
        extra = {"news": work.funded_news(account, now),
                 "receipts": work.recent_receipts(account)}
    elif account.role is Role.EVALUATOR:
        extra = {"waiting": work.panel_waiting(account)}
    return render_template("tasks/index.html", tasks=found, now=now, **extra)


def _lang() -> str:
    return "en" if get_locale().language == "en" else "zh"


@bp.get("/inbox")
@role_required(*EVERYONE, approved=False)
def inbox() -> str:
    """Unread messages (the default) or all of them, newest first, each linked to its project."""
    shown = "all" if request.args.get("show") == "all" else "unread"
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        abort(404)
    rows, total, unread = notifications.inbox_page(
        current_user, unread_only=shown == "unread", page=int(page), per_page=INBOX_PER_PAGE)
    return render_template("tasks/inbox.html", rows=rows, total=total, unread=unread,
                           shown=shown, page=int(page), per_page=INBOX_PER_PAGE, lang=_lang(),
                           form=ActionForm())


@bp.post("/inbox/<int:notification_id>/read")
@role_required(*EVERYONE, approved=False)
def read(notification_id: int) -> Response:
    if notification_id > MAX_ID:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            notifications.mark_read(current_user, notification_id, now=current_time())
        except NotFound:
            abort(404)
    return redirect(url_for("tasks.inbox", show=request.args.get("show", "unread")))


@bp.post("/inbox/read")
@role_required(*EVERYONE, approved=False)
def read_all() -> Response:
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: notifications.mark_read(
            current_user, None, now=current_time())) is not None:
        flash(_("Every message is marked read."))
    return redirect(url_for("tasks.inbox"))


def _counts() -> work.Counts:
    """The header's counts, read once per request (one query)."""
    cached = request.environ.get(COUNTS_KEY)  # the request's own (``g`` may outlive it)
    if cached is None:
        cached = request.environ[COUNTS_KEY] = work.counts(current_user, current_time())
    return cached


@bp.app_context_processor
def header() -> dict[str, Any]:
    def header_counts() -> work.Counts | None:
        """None for a visitor, and on an error page whose request the database failed."""
        if not current_user.is_authenticated:
            return None
        try:
            return _counts()
        except SQLAlchemyError:
            db.session.rollback()
            return None

    return {"header_counts": header_counts}
