"""Bearer tokens for the JSON API: issued for a password, looked up by their hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from marketplace.extensions import db
from marketplace.models import Account, ApiToken
from marketplace.services.errors import ServiceError
from marketplace.services.moves import atomic


class Unauthenticated(ServiceError):
    status, code = 401, "unauthorized"


# One message for an unknown e-mail and a wrong password, so neither can be probed.
BAD_CREDENTIALS = "The e-mail or password is wrong."


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(email: str, password: str, *, now: datetime,
                ttl: timedelta) -> tuple[str, ApiToken]:
    """Check the password and return a new token (shown once) with its stored row."""
    account = db.session.execute(
        db.select(Account).where(db.func.lower(Account.email) == email.strip().lower())
    ).scalar_one_or_none()
    if account is None or not account.is_active or not account.check_password(password):
        raise Unauthenticated(BAD_CREDENTIALS)
    raw = secrets.token_urlsafe(32)
    with atomic():
        token = ApiToken(account=account, token_hash=_digest(raw), created_at=now,
                         expires_at=now + ttl)
        db.session.add(token)
    return raw, token


def account_for(raw: str, *, now: datetime) -> Account:
    """The active account a live token belongs to, or Unauthenticated."""
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == _digest(raw))
    ).scalar_one_or_none()
    if token is None or token.expires_at <= now or not token.account.is_active:
        raise Unauthenticated("The token is missing, unknown or expired.")
    return token.account
