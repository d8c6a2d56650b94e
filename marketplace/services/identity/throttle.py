"""Log-in throttling: at most 5 failed attempts per e-mail and IP address in 15 minutes.

The failures live in a table, not in a worker's memory, so the limit holds across gunicorn
workers and hosts and survives a restart; the web pages and the API's token exchange share
it. Rows older than the window are deleted as new failures come, so the table stays small
however many addresses an attacker makes up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.extensions import db
from marketplace.models.throttle import LoginFailure
from marketplace.services.core.unit import atomic

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _key(email: str, ip: str) -> tuple[str, str]:
    return email.strip().lower()[:254], ip[:45]


def blocked(email: str, ip: str, now: datetime) -> bool:
    """Whether this e-mail from this address has used up its failures in the window."""
    email, ip = _key(email, ip)
    failures = db.session.execute(
        db.select(db.func.count()).select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.ip == ip,
               LoginFailure.at > now - WINDOW)).scalar_one()
    return failures >= MAX_FAILURES


def fail(email: str, ip: str, now: datetime) -> None:
    """Count one failure, and forget every failure that has left the window."""
    email, ip = _key(email, ip)
    with atomic():
        db.session.execute(db.delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
        db.session.add(LoginFailure(email=email, ip=ip, at=now))


def forget(email: str, ip: str) -> None:
    """A successful log-in clears the count."""
    email, ip = _key(email, ip)
    with atomic():
        db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == email,
                                                         LoginFailure.ip == ip))
