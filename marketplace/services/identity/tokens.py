"""Bearer tokens for the JSON API: issued for a password, looked up by their hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from marketplace.extensions import db
from marketplace.models import Account, ApiToken
from marketplace.services.core.errors import NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.identity.accounts import Unauthenticated, authenticate

# last_used_at is for the owner's eyes, not an audit log: one write a minute per token is enough.
TOUCH_EVERY = timedelta(minutes=1)
SHOWN = 100  # the tokens page lists this many of the newest


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(email: str, password: str, *, now: datetime, ttl: timedelta,
                ip: str) -> tuple[str, ApiToken]:
    """Check the password and return a new token (shown once) with its stored row.

    The log-in page's own check (``accounts.authenticate``), throttle included, so the API is
    no way round it.
    """
    account = authenticate(email, password, address=ip, now=now)
    raw = secrets.token_urlsafe(32)
    with atomic():
        token = ApiToken(account=account, token_hash=_digest(raw), created_at=now,
                         expires_at=now + ttl)
        db.session.add(token)
    return raw, token


def token_for(raw: str, *, now: datetime) -> ApiToken:
    """The live token (its account active), or Unauthenticated; notes when it was last used."""
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == _digest(raw))
    ).scalar_one_or_none()
    if token is None or token.expires_at <= now or not token.account.is_active:
        raise Unauthenticated("The token is missing, unknown or expired.")
    if token.revoked_at is not None:
        raise Unauthenticated("This token has been revoked.")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        with atomic():  # before the view's own unit of work, so it commits on its own
            token.last_used_at = now
    return token


def account_for(raw: str, *, now: datetime) -> Account:
    """The active account a live token belongs to, or Unauthenticated."""
    return token_for(raw, now=now).account


def revoke_token(token_id: int, *, actor: Account, now: datetime) -> ApiToken:
    """The owner stops one of its tokens at once; revoking twice changes nothing."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.account_id != actor.id:  # another's token is not even there
        raise NotFound("No token %(id)s.", id=token_id)
    if token.revoked_at is None:
        with atomic():
            token.revoked_at = now
    return token


def tokens_of(account: Account) -> list[ApiToken]:
    return list(db.session.execute(
        db.select(ApiToken).where(ApiToken.account_id == account.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(SHOWN)).scalars())
