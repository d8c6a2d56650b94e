"""Accounts: log-in, registration, password change and the end of sessions, in one place.

The log-in page and ``POST /api/v1/tokens`` call ``authenticate``; the sign-up page and
``flask accounts create`` call ``register``. So the throttle, the duplicate checks and the
audit event cannot differ between the doors.

Every session cookie carries the account's ``session_generation`` (``Account.get_id``); logging
out or changing the password bumps it, so every cookie issued before stops opening pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from secrets import token_hex

from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.extensions import db
from marketplace.models import Account, Organization, OrgStatus, Role
from marketplace.services import throttle
from marketplace.services.errors import Invalid, ServiceError
from marketplace.services.moves import Actor, atomic, record


class Unauthenticated(ServiceError):
    status, code = 401, "unauthorized"


class TooManyAttempts(ServiceError):
    status, code = 429, "too_many_attempts"


# One message for an unknown e-mail and a wrong password, so neither can be probed.
BAD_CREDENTIALS = "The e-mail or password is wrong."
TOO_MANY = "Too many failed attempts; try again in 15 minutes."
TAKEN_EMAIL = "An account with this e-mail already exists."
TAKEN_CODE = "An organization with this credit code is already registered."
MIN_PASSWORD = 8


def normalized(email: str) -> str:
    return email.strip().lower()


@cache
def _dummy_hash() -> str:
    """A hash made like every real one, checked for unknown e-mails: an answer for an unknown
    e-mail takes as long as one for a wrong password, so timing does not tell which exist."""
    return generate_password_hash(token_hex(16))


def _by_email(email: str) -> Account | None:
    return db.session.execute(
        db.select(Account).where(db.func.lower(Account.email) == email)).scalar_one_or_none()


def authenticate(email: str, password: str, *, address: str, now: datetime) -> Account:
    """The active account with this e-mail and password; refusals count against the throttle."""
    email = normalized(email)
    if throttle.blocked(email, address, now):
        raise TooManyAttempts(TOO_MANY)
    account = _by_email(email)
    matches = check_password_hash(account.password_hash if account else _dummy_hash(), password)
    if account is None or not account.is_active or not matches:
        throttle.fail(email, address, now)
        raise Unauthenticated(BAD_CREDENTIALS)
    throttle.forget(email, address)
    return account


@dataclass(frozen=True)
class Registration:
    """Who signs up: the person, and the organization they act for."""

    email: str
    name: str
    password: str
    role: Role
    organization: str
    credit_code: str | None = None


def _organization(draft: Registration, status: OrgStatus, join: bool) -> Organization:
    """A new organization, or (``join``) the one of that name and role that exists already."""
    if draft.credit_code and db.session.execute(db.select(Organization.id).where(
            Organization.credit_code == draft.credit_code)).first():
        raise Invalid(TAKEN_CODE, field="credit_code")
    name = draft.organization.strip()
    found = db.session.execute(db.select(Organization).where(
        Organization.name == name, Organization.role == draft.role)).scalars().first() \
        if join else None
    return found or Organization(name=name, role=draft.role, status=status,
                                 credit_code=draft.credit_code, contact_name=draft.name.strip())


def register(draft: Registration, *, actor: Actor | None, now: datetime,
             status: OrgStatus = OrgStatus.PENDING, join: bool = False) -> Account:
    """A new account (``actor`` None: the person signs up themself), with its audit event.

    Sign-up makes a pending organization for the administrator to review; an operator's
    ``flask accounts create`` makes an approved one, or joins the existing one (``join``).
    """
    email = normalized(draft.email)
    if len(draft.password) < MIN_PASSWORD:
        raise Invalid("The password needs at least %(n)s characters.", field="password",
                      n=MIN_PASSWORD)
    try:
        with atomic():
            if _by_email(email) is not None:
                raise Invalid(TAKEN_EMAIL, field="email")
            account = Account(email=email, name=draft.name.strip(),
                              organization=_organization(draft, status, join))
            account.set_password(draft.password)
            db.session.add(account)
            db.session.flush()  # the id, for the audit event
            record(None, actor or account, "register_account", now=now, details={
                "account_id": account.id, "role": draft.role.value,
                "organization_id": account.organization_id,
                "organization_status": account.organization.status.value})
    except IntegrityError:  # the same e-mail or code registered at the same moment
        raise Invalid(TAKEN_EMAIL, field="email") from None
    return account


def end_sessions(account: Account) -> None:
    """Every session cookie issued to the account stops working (log-out, password change)."""
    with atomic():
        account.session_generation += 1


def change_password(account: Account, password: str, *, actor: Actor, now: datetime) -> None:
    """A new password; every session opened with the old one ends."""
    if len(password) < MIN_PASSWORD:
        raise Invalid("The password needs at least %(n)s characters.", field="password",
                      n=MIN_PASSWORD)
    with atomic():
        account.set_password(password)
        account.session_generation += 1
        record(None, actor, "change_password", now=now, details={"account_id": account.id})
