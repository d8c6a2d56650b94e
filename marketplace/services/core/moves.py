"""Firing lifecycle moves: lock the project, move it, record the audit event, commit once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

from marketplace import lifecycle
from marketplace.clock import utcnow
from marketplace.lifecycle import CLOCK, Move, Party, State
from marketplace.models import Account, AuditEvent, Project
from marketplace.services.core.access import may_move, parties
from marketplace.services.core.errors import Conflict
from marketplace.services.core.unit import (
    CHANGED_MEANWHILE,
    Actor,
    actor_label,
    atomic,
    lock_project,
)
from marketplace.services.finance import money
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import (
    NOTIFIERS,
    Recipients,
    accounts_of,
    move_params,
    send,
)


def new_move(trigger: str, *, actor: Actor, by: frozenset[Party], now: datetime,
             reason: str | None = None, **args: Any) -> Move:
    """A move carrying the site's rules (pass mark, standstill and evaluation days) and the
    parties it is fired as, which the lifecycle checks against the rule's ``by``."""
    config = current_app.config
    return Move(trigger, actor=actor_label(actor), by=by, now=now, reason=reason, args=args,
                pass_mark=config["EVALUATION_PASS_MARK"],
                standstill_days=config.get("STANDSTILL_DAYS", lifecycle.DEFAULT_STANDSTILL_DAYS),
                evaluation_days=config.get("EVALUATION_DAYS", lifecycle.DEFAULT_EVALUATION_DAYS))


def allowed_moves(actor: Account, project: Project, now: datetime) -> list[str]:
    """The moves the lifecycle would make now that this account may fire: a page's buttons."""
    return lifecycle.possible_moves(project, now, current_app.config["EVALUATION_PASS_MARK"],
                                    by=parties(actor, project))


class Writer(Protocol):
    """Where one move's consequences are written: the session's objects (``OrmWriter``) or
    the clock's batch of plain rows (``scheduler.bulk.Batch``). Nothing here decides."""

    def matches(self, project: Any) -> Mapping[int, money.MatchLike]: ...

    def find(self, organization_ids: Iterable[int]) -> list[Any]: ...

    def settle(self, project: Any, settlement: money.Settlement, before: State, trigger: str,
               now: datetime) -> None: ...

    def record(self, project: Any, trigger: str, now: datetime, before: State,
               reason: str | None, details: dict[str, Any]) -> None: ...

    def notify(self, project: Any, recipients: Recipients, params: dict[str, Any],
               now: datetime) -> None: ...


def decide(project: Any, trigger: str, *, actor: Actor, by: frozenset[Party], now: datetime,
           writer: Writer, reason: str | None = None, **args: Any) -> None:
    """One move, decided the same way whoever writes it: the lifecycle's table fires it, the
    money plan says what it posts, the notifiers' table who hears of it; ``writer`` writes."""
    move = new_move(trigger, actor=actor, by=by, now=now, reason=reason, **args)
    before, held = project.state, money.snapshot(project)
    lifecycle.fire(project, move)
    writer.settle(project, money.plan(project, held, writer.matches(project)), before, trigger,
                  now)
    project.next_check_at = lifecycle.next_check_at(project, now)
    writer.record(project, trigger, now, before, reason, move.details)
    notifier = NOTIFIERS.get(trigger)
    if notifier is not None:
        writer.notify(project, notifier(project, writer.find), move_params(project), now)


class OrmWriter:
    """A move written as ORM objects in the caller's unit of work: ledger postings through
    ``ledger.post`` (by way of ``money.settle``), the event sealed onto the chain."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.event: AuditEvent | None = None

    def matches(self, project: Project) -> Mapping[int, money.MatchLike]:
        return money.matches_of(project)

    def find(self, organization_ids: Iterable[int]) -> list[Any]:
        return accounts_of(organization_ids)

    def settle(self, project: Project, settlement: money.Settlement, before: State,
               trigger: str, now: datetime) -> None:
        money.settle(project, settlement, before, trigger, now=now)

    def record(self, project: Project, trigger: str, now: datetime, before: State,
               reason: str | None, details: dict[str, Any]) -> None:
        self.event = record(project, self.actor, trigger, now=now, from_state=before.value,
                            to_state=project.state.value, reason=reason, details=details)

    def notify(self, project: Project, recipients: Recipients, params: dict[str, Any],
               now: datetime) -> None:
        send(project, recipients, params, at=now)


def apply(project: Project, trigger: str, *, actor: Actor, by: frozenset[Party], now: datetime,
          reason: str | None = None, **args: Any) -> AuditEvent:
    """Make one move inside the caller's unit of work (the project must be locked), fired as
    the parties ``by``: the clock's for the scheduler, the account's own otherwise."""
    writer = OrmWriter(actor)
    decide(project, trigger, actor=actor, by=by, now=now, writer=writer, reason=reason, **args)
    assert writer.event is not None
    return writer.event


def move(project_id: int, trigger: str, *, actor: Actor, now: datetime | None = None,
         reason: str | None = None, expected_version: int | None = None,
         **args: Any) -> Project:
    """Fire one lifecycle move as its own transaction.

    ``expected_version`` is the version the user saw: if the project changed since, the move
    is refused as a conflict rather than applied to a state the user did not see. An account
    fires it as the parties it is for the project (Forbidden if the rule is for none of them);
    a system actor such as the scheduler fires it as the clock.
    """
    with atomic():
        project = lock_project(project_id)
        if expected_version is not None and project.version != expected_version:
            raise Conflict(CHANGED_MEANWHILE, rule="unchanged_since_read")
        by = may_move(actor, project, trigger) if isinstance(actor, Account) else CLOCK
        apply(project, trigger, actor=actor, by=by, now=now or utcnow(), reason=reason, **args)
    return project
