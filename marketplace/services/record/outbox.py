"""Sending the e-mail outbox: each mail in its own transaction, retried a few times."""

from __future__ import annotations

import logging
from datetime import datetime

from marketplace.extensions import db
from marketplace.mail import Sender
from marketplace.models import OutboxMail
from marketplace.services.core.unit import atomic

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def send_pending(sender: Sender, now: datetime, limit: int = 100) -> int:
    """Send unsent mail oldest first; returns how many went out.

    Rows are locked with SKIP LOCKED on PostgreSQL, so two scheduler processes never send
    the same mail twice; a failure is recorded on the row and the next run tries again.
    """
    pending = db.session.execute(
        db.select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMail.id).limit(limit)).scalars().all()
    db.session.rollback()
    sent = 0
    for mail_id in pending:
        with atomic():
            mail = db.session.execute(
                db.select(OutboxMail).where(OutboxMail.id == mail_id,
                                            OutboxMail.sent_at.is_(None))
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)).scalar_one_or_none()
            if mail is None:
                continue
            mail.attempts += 1
            try:
                sender.send(mail)
            except Exception as error:  # any sender failure is kept on the row, not raised
                mail.last_error = f"{type(error).__name__}: {error}"[:2000]
                log.warning("mail %s to %s failed: %s", mail.id, mail.to, error)
                continue
            mail.sent_at, mail.last_error = now, None
            sent += 1
    return sent
