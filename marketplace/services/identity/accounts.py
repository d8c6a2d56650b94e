"""Accounts: log-in, registration, password change and reset, the end of sessions, in one place.

The log-in page and ``POST /api/v1/tokens`` call ``authenticate``; the sign-up page and
``flask accounts create`` call ``register``. So the throttle, the duplicate checks and the
audit event cannot differ between the doors.

Every session cookie carries the account's ``session_generation`` (``Account.get_id``); logging
out or changing the password bumps it, so every cookie issued before stops opening pages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from secrets import token_hex, token_urlsafe

from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.extensions import db
from marketplace.models import Account, Organization, OrgStatus, OutboxMail, PasswordReset, Role
from marketplace.services.core.errors import Invalid, ServiceError
from marketplace.services.core.unit import Actor, atomic
from marketplace.services.identity import throttle
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import mail


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
# A mainland mobile number, or a landline with its area code (010-12345678, 0571 8765 4321).
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")
PHONE_FORMAT = "A phone number is a mobile number of 11 digits or a landline with its area code."
NO_CONSENT = "You can sign up only after agreeing to the privacy policy."
RESET_LIFETIME = timedelta(hours=1)
BAD_RESET_LINK = "This link is not valid: it was used already, has expired or is mistyped. " \
    "Ask for a new one."


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
    phone: str | None = None
    consented: bool = False


def phone_number(raw: str | None) -> str | None:
    """The number with spaces and dashes taken out; refused unless it is a phone number."""
    if raw is None or not raw.strip():
        return None
    digits = re.sub(r"[\s-]", "", raw.strip().removeprefix("+86"))
    if not PHONE.fullmatch(digits):
        raise Invalid(PHONE_FORMAT, field="phone")
    return digits


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
    phone = phone_number(draft.phone)
    if actor is None:  # the person signs up themself: their number and consent are asked
        if phone is None:
            raise Invalid("Give a phone number the administrator can call.", field="phone")
        if not draft.consented:
            raise Invalid(NO_CONSENT, field="consent")
    try:
        with atomic():
            if _by_email(email) is not None:
                raise Invalid(TAKEN_EMAIL, field="email")
            account = Account(email=email, name=draft.name.strip(), phone=phone,
                              consented_at=now if draft.consented else None,
                              organization=_organization(draft, status, join))
            account.set_password(draft.password)
            db.session.add(account)
            db.session.flush()  # the id, for the audit event
            record(None, actor or account, "register_account", now=now, details={
                "account_id": account.id, "role": draft.role.value,
                "organization_id": account.organization_id,
                "organization_status": account.organization.status.value,
                "consented": draft.consented})
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, *, link: Callable[[str], str], now: datetime) -> None:
    """E-mail a one-time link (``link(token)`` makes its URL) to the account with this address.

    Nothing tells whether the address has an account: an unknown one is answered the same
    way and sends nothing. Asking again makes a new link; the older ones keep working
    until they expire or one of them is used.
    """
    account = _by_email(normalized(email))
    if account is None or not account.is_active:
        return
    token = token_urlsafe(32)
    with atomic():
        db.session.add(PasswordReset(account=account, token_hash=_token_hash(token),
                                     created_at=now, expires_at=now + RESET_LIFETIME))
        # by e-mail only, not to the inbox: whoever reads the inbox has no claim to the link
        params = {"link": link(token), "minutes": int(RESET_LIFETIME.total_seconds() // 60)}
        db.session.add(OutboxMail(**mail(account.email, "password_reset", params),
                                  created_at=now))


def reset_holder(token: str, now: datetime) -> PasswordReset:
    """The unused, unexpired reset of this token, or ``Invalid`` naming the link."""
    reset = db.session.execute(db.select(PasswordReset).where(
        PasswordReset.token_hash == _token_hash(token))).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now \
            or not reset.account.is_active:
        raise Invalid(BAD_RESET_LINK, field="token")
    return reset


def reset_password(token: str, password: str, *, now: datetime) -> Account:
    """Set the password a reset link was sent for; the link, and every other of the account's
    links, stop working, and so does every session opened with the old password."""
    with atomic():
        reset = reset_holder(token, now)
        account = reset.account
        change_password(account, password, actor=account, now=now)
        for pending in db.session.execute(db.select(PasswordReset).where(
                PasswordReset.account_id == account.id,
                PasswordReset.used_at.is_(None))).scalars():
            pending.used_at = now
    return account
