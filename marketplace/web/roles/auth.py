"""Session log-in, log-out and sign-up, and the role check every page uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from marketplace.extensions import db, login_manager
from marketplace.models import Account, Role
from marketplace.services.core.errors import ServiceError
from marketplace.services.identity import accounts
from marketplace.web.api import MAX_ID
from marketplace.web.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, SignUpForm
from marketplace.web.infra.errors import translated
from marketplace.web.infra.safe_next import safe_next
from marketplace.web.pages import attempt, current_time

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])


@login_manager.user_loader
def load_account(session_id: str) -> Account | None:
    """The account of a session cookie, if the cookie's generation is still the account's
    (``Account.get_id``): a cookie from before a log-out or password change opens nothing."""
    account_id, _colon, generation = session_id.partition(":")
    if not (account_id.isdigit() and generation.isdigit()) or int(account_id) > MAX_ID:
        return None
    account = db.session.get(Account, int(account_id))
    if account is None or not account.is_active or \
            account.session_generation != int(generation):
        return None
    return account


def role_required(*roles: Role, approved: bool = True) -> Callable[[View], View]:
    """Anonymous → log-in page; wrong role → 403; a pending organization → 403 (may not act)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            if approved and not current_user.organization.is_approved:
                # not a bare 403: what the person waits for, and what happens next
                return render_template("auth/pending.html",
                                       organization=current_user.organization), 403
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _begin_session(account: Account) -> None:
    """Sessions are permanent so that each request renews them: one idle for longer than
    ``SESSION_IDLE_HOURS`` (``PERMANENT_SESSION_LIFETIME``) is refused by its signature's age."""
    login_user(account)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            account = accounts.authenticate(form.email.data, form.password.data,
                                            address=request.remote_addr or "-",
                                            now=current_time())
        except accounts.TooManyAttempts:
            form.email.errors.append(_("Too many failed attempts; try again in 15 minutes."))
            return render_template("auth/login.html", form=form), 429
        except accounts.Unauthenticated:
            form.password.errors.append(_("Wrong e-mail or password."))
            return render_template("auth/login.html", form=form), 200
        _begin_session(account)
        if not account.organization.is_approved:
            flash(_("Your organization is waiting for the administrator's approval."))
        return redirect(safe_next(request.args.get("next"), "tasks.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Ends this session and every other copy of its cookie."""
    accounts.end_sessions(current_user)
    logout_user()
    return redirect(url_for("public.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    form = SignUpForm()
    if form.validate_on_submit():
        draft = accounts.Registration(
            email=form.email.data, name=form.contact.data, password=form.password.data,
            role=Role(form.role.data), organization=form.organization.data,
            credit_code=form.credit_code.data or None, phone=form.phone.data,
            consented=bool(form.consent.data))
        account = attempt(form, lambda: accounts.register(draft, actor=None,
                                                          now=current_time()))
        if account is not None:
            _begin_session(account)
            flash(_("Signed up. The administrator will review your organization."))
            return redirect(url_for("public.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> str:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_reset(
            form.email.data, now=current_time(),
            link=lambda token: url_for("auth.reset_password", token=token, _external=True))
        return render_template("auth/forgot.html", form=None, sent_to=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    form = ResetPasswordForm()
    try:
        accounts.reset_holder(token, current_time())
    except ServiceError as error:
        return render_template("auth/reset.html", form=None, refused=translated(error)), 404
    if form.validate_on_submit():
        account = attempt(form, lambda: accounts.reset_password(
            token, form.password.data, now=current_time()))
        if account is not None:
            flash(_("Your password is changed. Log in with the new one."))
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
