"""A process that makes one move with ledger postings and stalls just before its commit.

Started by ``test_crash.py``, which SIGKILLs it once it prints ``FLUSHED``: at that moment
every row of the move (state, subscriptions, ledger postings, audit event) is in the database
inside an open transaction. The stall is a session event registered here, in this test-only
script: the product has no hook of its own.

    python -m tests.scaleout.crash_child DATABASE_URL subscribe|sweep PROJECT_ID ACCOUNT_ID ISO_TIME
"""

from __future__ import annotations

import sys
import time
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Account, Project
from marketplace.services.subscription.funding import subscribe
from scheduler.jobs import run_due

STALL_SECONDS = 120  # the parent kills it long before; bounded so a lost child ends anyway


def stall_before_commit(session: Session) -> None:
    session.flush()  # everything written, nothing committed
    print("FLUSHED", flush=True)
    time.sleep(STALL_SECONDS)


def main(url: str, what: str, project_id: int, account_id: int, now: datetime) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        event.listen(Session, "before_commit", stall_before_commit)
        if what == "subscribe":  # the last subscription: reaching the target collects all
            remaining = db.session.get(Project, project_id).remaining_fen
            subscribe(project_id, remaining, actor=db.session.get(Account, account_id),
                      now=now)
        else:  # the clock at the deadline: funding failed, commitments go back as credit
            run_due(now)
    print("COMMITTED", flush=True)  # only if the parent failed to kill it


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
         datetime.fromisoformat(sys.argv[5]))
