"""Session log-in, log-out and sign-up, and the role check every page uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from marketplace.extensions import db, login_manager
from marketplace.models import Account, Organization, OrgStatus, Role
from marketplace.services import throttle
from marketplace.services.moves import atomic
from marketplace.web.forms import LoginForm, SignUpForm
from marketplace.web.pages import current_time

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    account = db.session.get(Account, int(account_id)) if account_id.isdigit() else None
    return account if account is not None and account.is_active else None


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
                abort(403, _("Your organization has not been approved yet."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after log-in."""
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("public.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        email, ip = form.email.data.strip().lower(), request.remote_addr or "-"
        now = current_time()
        if throttle.blocked(email, ip, now):
            form.email.errors.append(_("Too many failed attempts; try again in 15 minutes."))
            return render_template("auth/login.html", form=form), 429
        account = db.session.execute(
            db.select(Account).where(db.func.lower(Account.email) == email)
        ).scalar_one_or_none()
        if account is None or not account.is_active or \
                not account.check_password(form.password.data):
            throttle.fail(email, ip, now)
            form.password.errors.append(_("Wrong e-mail or password."))
            return render_template("auth/login.html", form=form), 200
        throttle.forget(email, ip)
        login_user(account)
        if not account.organization.is_approved:
            flash(_("Your organization is waiting for the administrator's approval."))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("public.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    form = SignUpForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        taken = db.session.execute(
            db.select(Account.id).where(db.func.lower(Account.email) == email)
        ).first()
        if taken:
            form.email.errors.append(_("An account with this e-mail already exists."))
        code = form.credit_code.data or None
        if code and db.session.execute(
                db.select(Organization.id).where(Organization.credit_code == code)).first():
            form.credit_code.errors.append(
                _("An organization with this credit code is already registered."))
        if not form.errors:
            organization = Organization(name=form.organization.data.strip(),
                                        role=Role(form.role.data), status=OrgStatus.PENDING,
                                        credit_code=code, contact_name=form.contact.data.strip())
            account = Account(email=email, name=form.contact.data.strip(),
                              organization=organization)
            account.set_password(form.password.data)
            with atomic():
                db.session.add(account)
            login_user(account)
            flash(_("Signed up. The administrator will review your organization."))
            return redirect(url_for("public.index"))
    return render_template("auth/signup.html", form=form)
