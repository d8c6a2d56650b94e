"""Idempotency keys: a money POST retried with the same key gets its first answer again.

The key row is written inside the same unit of work as the move it answers (the services'
own ``atomic`` joins the one opened here), so a crash keeps both or neither. Two requests with
the same key at once queue: on SQLite the unit's write lock admits one at a time, on PostgreSQL
the second one's insert waits on the unique index until the first commits, then fails, and it
reads the first one's answer. A refused request (any error) keeps no key: nothing changed, so
it may be sent again as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import IdempotencyKey
from marketplace.services.core.errors import KeyReused
from marketplace.services.core.unit import atomic

HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool  # the stored first answer, not a new move


def _stored(account_id: int, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        db.select(IdempotencyKey).where(IdempotencyKey.account_id == account_id,
                                        IdempotencyKey.key == key)).scalar_one_or_none()


def _replay(row: IdempotencyKey, fingerprint: str) -> Answer:
    if row.fingerprint != fingerprint:
        raise KeyReused("This %(header)s was first sent with another request; use a new key "
                        "for a new request.", field=HEADER, header=HEADER)
    return Answer(row.status, row.response, replayed=True)


def once(account_id: int, key: str, fingerprint: str,
         run: Callable[[], tuple[int, dict[str, Any]]], *, now: datetime) -> Answer:
    """The first answer kept under (account, key), or ``run``'s, kept with its move."""
    try:
        with atomic():
            if (row := _stored(account_id, key)) is not None:
                return _replay(row, fingerprint)
            row = IdempotencyKey(account_id=account_id, key=key, fingerprint=fingerprint,
                                 status=0, response={}, created_at=now)
            db.session.add(row)
            db.session.flush()  # PostgreSQL: a twin request waits here for the first to end
            status, body = run()
            row.status, row.response = status, body
        return Answer(status, body, replayed=False)
    except IntegrityError:  # the twin committed the key first: its answer is the answer
        with atomic():
            return _replay(db.session.execute(
                db.select(IdempotencyKey).where(IdempotencyKey.account_id == account_id,
                                                IdempotencyKey.key == key)).scalar_one(),
                fingerprint)
