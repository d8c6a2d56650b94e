"""My API tokens: every account sees the tokens issued to it and can revoke any of them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from marketplace.services.identity.tokens import revoke_token, tokens_of
from marketplace.web.forms import ActionForm
from marketplace.web.pages import attempt, current_time

bp = Blueprint("tokens", __name__, url_prefix="/me/tokens")


def _page(form: ActionForm, status: int = 200) -> tuple[str, int]:
    return render_template("tokens.html", tokens=tokens_of(current_user), now=current_time(),
                           form=form), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page(ActionForm())


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response | tuple[str, int]:
    if token_id > 2**31 - 1:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: revoke_token(
            token_id, actor=current_user, now=current_time())):
        flash(_("The token is revoked: programs using it are refused from now on."))
        return redirect(url_for("tokens.index"))
    return _page(form, 404 if not form.errors else 400)
