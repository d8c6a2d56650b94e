"""Firing lifecycle moves: lock the project, move it, record the audit event, commit once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from marketplace import lifecycle, writelock
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import CLOCK, Move, Party, State
from marketplace.models import Account, AuditEvent, Project
from marketplace.services import money
from marketplace.services.access import may_move, parties
from marketplace.services.audit import seal
from marketplace.services.errors import Busy, Conflict, NotFound
from marketplace.services.notifications import (
    NOTIFIERS,
    Recipients,
    accounts_of,
    move_params,
    send,
)

Actor = Account | str  # an account, or a system actor such as "scheduler"
CHANGED_MEANWHILE = "Someone else changed this project at the same time; reload and try again."
BUSY = "Others are saving changes at this moment; nothing was saved. Try again shortly."
IN_UNIT = "marketplace_in_unit"  # session.info: a unit of work is open on this session


def actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, Account) else actor


@contextmanager
def atomic() -> Iterator[None]:
    """One unit of work: commit on success; on any error roll everything back and re-raise.

    It holds the write lock before it reads what it checks (``writelock``): on SQLite it
    begins with the database's write lock, on PostgreSQL the services lock their rows. A lock
    waited for too long is ``Busy`` (503), never a crash. A unit opened inside another is part
    of it: the outer one commits.
    """
    session = db.session()
    if session.info.get(IN_UNIT):
        yield
        return
    session.info[IN_UNIT] = True
    try:
        writelock.begin_unit(session)
        yield
        session.commit()
    except StaleDataError as stale:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE, rule="unchanged_since_read") from stale
    except OperationalError as refused:
        session.rollback()
        if writelock.gave_up(refused):
            raise Busy(BUSY) from refused
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(IN_UNIT, None)


def lock_project(project_id: int) -> Project:
    """Load the project with a row lock (PostgreSQL; on SQLite the unit holds the database's
    write lock), fresh from the database."""
    project = db.session.execute(
        db.select(Project)
        .where(Project.id == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if project is None:
        raise NotFound("No project %(id)s.", id=project_id)
    return project


def record(project: Project | None, actor: Actor, trigger: str, *, now: datetime,
           from_state: str | None = None, to_state: str | None = None,
           reason: str | None = None, details: dict[str, Any] | None = None,
           station_id: int | None = None) -> AuditEvent:
    """Add an audit event to the current unit of work, sealed onto the audit chain."""
    event = AuditEvent(
        project=project, station_id=station_id,
        actor=actor_label(actor),
        actor_account_id=actor.id if isinstance(actor, Account) else None,
        at=now, trigger=trigger, from_state=from_state, to_state=to_state,
        reason=reason, details=details or {},
    )
    seal(event)
    return event


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
