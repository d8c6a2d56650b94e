"""Who decided what and when, in the form anyone may read: the audit trail without e-mails.

An audit event names its actor as "name <e-mail>"; the public form names the person and their
organization instead. While a tender or a scoring round is still sealed, the public does not
learn who bid or who scored: those events show no actor until the project has moved on
(``services.core.visibility`` says which events, and when).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from marketplace.extensions import db
from marketplace.lifecycle import EXITS, State
from marketplace.models import Account, AuditEvent, Project, Role
from marketplace.services.core.visibility import withheld

CLOCK = "scheduler"


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    trigger: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    person: str | None  # None: the clock, or withheld
    organization: str | None
    role: Role | None
    by_clock: bool
    withheld: bool


def _public(event: AuditEvent, accounts: dict[int, Account], project: Project | None
            ) -> PublicEvent:
    sealed = withheld(event, project)
    account = accounts.get(event.actor_account_id) if event.actor_account_id else None
    shown = account is not None and not sealed
    return PublicEvent(
        at=event.at, trigger=event.trigger, from_state=event.from_state,
        to_state=event.to_state, reason=event.reason,
        person=account.name if shown else None,
        organization=account.organization.name if shown else None,
        role=account.role if shown else None,
        by_clock=event.actor == CLOCK, withheld=sealed)


def public_trail(events: Iterable[AuditEvent], project: Project | None = None
                 ) -> list[PublicEvent]:
    events = list(events)
    ids = {e.actor_account_id for e in events if e.actor_account_id}
    accounts = {a.id: a for a in db.session.execute(
        db.select(Account).where(Account.id.in_(ids))).scalars()} if ids else {}
    return [_public(event, accounts, project) for event in events]


def project_events(project: Project) -> list[AuditEvent]:
    """Every event of the project, oldest first (the page reads them once for two lists)."""
    return list(db.session.execute(
        db.select(AuditEvent).where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.at, AuditEvent.id)).scalars())


def project_trail(project: Project, events: list[AuditEvent] | None = None
                  ) -> list[PublicEvent]:
    """Every event of the project, oldest first, in public form."""
    return public_trail(project_events(project) if events is None else events, project)


def stage_left(project: Project) -> State | None:
    """The stage a project that took an exit was in when it took it (the stepper shows the
    exit there); None for a project on its way, or with no such move recorded."""
    if project.state not in EXITS:
        return None
    left = db.session.execute(
        db.select(AuditEvent.from_state)
        .where(AuditEvent.project_id == project.id, AuditEvent.to_state == project.state.value,
               AuditEvent.from_state != project.state.value)
        .order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    return State(left) if left in {s.value for s in State} else None
