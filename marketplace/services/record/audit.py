"""The audit record as evidence: seal each event onto the chain, verify it (``replay`` rebuilds
a project from it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.models import Account, AuditEvent, Project
from marketplace.services.core.unit import Actor, actor_label, remembered
from marketplace.services.record import chain

# Any constant will do: it names the one advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x6C6F7665  # "love"

# What the chain records besides the lifecycle's moves (whose names are the rules' triggers):
# the one vocabulary of event names, so that every table keyed by trigger (notifications, the
# API's names, labels, what visibility seals) can be checked against it, and a misspelt
# event is refused rather than written.
EVENTS = frozenset({
    "accept_milestone", "answer_question", "apply_for_naming", "approve_organization",
    "approve_station", "ask_question", "assign_panel", "bid", "change_password",
    "choose_naming", "close_match_offer", "complain", "create", "dismiss_complaint",
    "evaluate", "evaluation_award", "evidence", "expire_naming", "extend_deadline", "inspect",
    "move_credit", "open_match_offer", "receive", "record_county_report", "recuse",
    "register_account", "register_station", "reject_organization", "reject_station", "report",
    "return_milestone",
    "set_cover", "set_panel_quorum", "set_report_schedule", "subscribe", "uphold_complaint",
    "withdraw_bid", "withdraw_credit",
    "edit_bundle",  # a bundle changed in packaging (services/packaging/bundles.update_bundle)
})
TRIGGERS = frozenset(lifecycle.TRIGGERS) | EVENTS


STORED = (*chain.FIELDS, *chain.OPTIONAL_FIELDS, "prev_hash", "hash")


def _row(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in STORED}


def seal(event: AuditEvent) -> None:
    """Add a new event to the caller's unit of work; it is linked onto the chain when flushed.

    On PostgreSQL a transaction-scoped advisory lock is taken before the event gets its id, so
    two concurrent transactions can never chain onto the same predecessor: the second waits
    until the first commits and then sees its events. The lock is taken once per transaction,
    and all the events of one flush are linked together (``_link``), so a sweep that records
    thousands of moves pays for one lock and one look-up of the previous hash, not one per
    event. On SQLite the flush takes the database's single write lock, which serialises
    writers the same way.
    """
    if event.trigger not in TRIGGERS:
        raise ValueError(f"{event.trigger!r} is neither a lifecycle move nor a known event")
    chain_state = remembered("audit_chain")
    if "locked" not in chain_state and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        chain_state["locked"] = True
    db.session.add(event)


@listens_for(Session, "after_flush")
def _link(session: Session, flush_context: Any) -> None:
    """Give the events this flush inserted their ``prev_hash`` and ``hash``, in id order.

    The flush has just assigned the ids (all after the last committed event: the chain lock
    is held); one UPDATE then stores every link of the batch.
    """
    new = sorted((obj for obj in session.new
                  if isinstance(obj, AuditEvent) and obj.hash is None), key=lambda e: e.id)
    if not new:
        return
    chain_state = remembered("audit_chain", session)
    connection = session.connection()
    prev_hash = chain_state.get("last_hash") or connection.execute(
        select(AuditEvent.hash).where(AuditEvent.id < new[0].id)
        .order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none() or chain.GENESIS
    links = []
    for audit_event in new:
        this_hash = chain.link(prev_hash, _row(audit_event))
        set_committed_value(audit_event, "prev_hash", prev_hash)
        set_committed_value(audit_event, "hash", this_hash)
        links.append({"event_id": audit_event.id, "prev": prev_hash, "this": this_hash})
        prev_hash = this_hash
    table = AuditEvent.__table__
    connection.execute(table.update().where(table.c.id == bindparam("event_id"))
                       .values(prev_hash=bindparam("prev"), hash=bindparam("this")), links)
    chain_state["last_hash"] = prev_hash


def verify() -> chain.Break | None:
    """Recompute the whole chain from the stored rows; the first break, or None if it holds."""
    columns = [getattr(AuditEvent, name) for name in STORED]
    rows = db.session.execute(db.select(*columns).order_by(AuditEvent.id)).mappings()
    return chain.first_break(rows)


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
