"""Replay: a project's state rebuilt from its audit trail alone, and compared with the database.

The trail is the engine's own proof that the record is complete: walked in the chain's order
through the lifecycle's table (``lifecycle.rules_from``), every event must start from the
stage the events before it left the project in, every change of stage must be a move the
table allows from there, and no event may be dated before the one it follows. What the events
carry (the award, the contract, the milestones accepted, the panel, the fund's award, the
dates of publication and closing) is folded into a ``Replayed`` that ``compare`` holds against
the rows. ``trail`` is the one reading of a project's events up to a moment; the OCDS releases
are built from it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, EvaluationAward, MilestoneStatus, Project

# The moves after which a project is closed (its ``closed_at`` is the event's time).
CLOSING = frozenset(rule.trigger for rule in lifecycle.RULES if lifecycle.close in rule.effects)


def trail(project_id: int, until: datetime | None = None) -> list[AuditEvent]:
    """The project's audit events in the chain's order, up to ``until`` (inclusive) if given."""
    query = db.select(AuditEvent).where(AuditEvent.project_id == project_id)
    if until is not None:
        query = query.where(AuditEvent.at <= until)
    return list(db.session.execute(query.order_by(AuditEvent.id)).scalars())


@dataclass
class Replayed:
    """What a project's events say about it; ``problems`` are events the lifecycle denies."""

    project_id: int
    events: int = 0
    state: State | None = None
    at: datetime | None = None  # the last event's time
    published_at: datetime | None = None
    closed_at: datetime | None = None
    award: tuple[int, int, int] | None = None  # bid, organization, amount in fen
    contract: tuple[int, int, int] | None = None
    contract_started_at: datetime | None = None
    accepted: dict[int, datetime] = field(default_factory=dict)  # milestone sequence → when
    rectifications: int = 0
    tender_reopened: bool = False
    panel: set[int | None] = field(default_factory=set)  # evaluator account ids appointed
    evaluation_award: tuple[int, int] | None = None  # organization, amount in fen
    problems: list[str] = field(default_factory=list)

    def facts(self) -> dict[str, Any]:
        """The state as named, comparable facts (the same keys ``stored`` reads)."""
        return {
            "stage": self.state.value if self.state else None,
            "published_at": self.published_at,
            "closed_at": self.closed_at,
            "award": self.award,
            "contract": self.contract,
            "contract_started_at": self.contract_started_at,
            "milestones_accepted": dict(sorted(self.accepted.items())),
            "rectifications": self.rectifications,
            "tender_reopened": self.tender_reopened,
            # an id the event failed to record (None) sorts last and differs from every seat
            "panel": sorted(self.panel, key=lambda i: (i is None, i or 0)),
            "evaluation_award": self.evaluation_award,
        }


def _bid_award(details: dict[str, Any]) -> tuple[int, int, int] | None:
    if "bid_id" not in details:
        return None
    return details["bid_id"], details["organization_id"], details["amount_fen"]


def _check_move(replayed: Replayed, event: AuditEvent, state: State) -> State:
    """The stage after the event, noting in ``problems`` where the lifecycle denies it."""
    target = State(event.to_state) if event.to_state else state
    if event.trigger not in lifecycle.TRIGGERS:
        if target is not state:
            replayed.problems.append(f"event #{event.id} {event.trigger} changes the stage "
                                     f"from {state.value} to {target.value}, which no move does")
        return target
    rules = [rule for rule in lifecycle.rules_from(state) if rule.trigger == event.trigger]
    if not rules:
        replayed.problems.append(f"event #{event.id} {event.trigger} is not a move the "
                                 f"lifecycle allows from {state.value}")
    elif not any((rule.dest or state) is target for rule in rules):
        replayed.problems.append(f"event #{event.id} {event.trigger} leads from {state.value} "
                                 f"to {target.value}, not where the lifecycle's move goes")
    return target


def _fold(replayed: Replayed, event: AuditEvent) -> None:
    """What the event carries, added to the state."""
    details = event.details or {}
    trigger = event.trigger
    if trigger == "publish":
        replayed.published_at = event.at
    elif trigger in ("award", "uphold_complaint"):
        replayed.award = _bid_award(details)
    elif trigger == "start_contract":
        replayed.contract = _bid_award(details)
        replayed.contract_started_at = event.at
    elif trigger == "accept_milestone":
        replayed.accepted[details.get("milestone")] = event.at
    elif trigger == "return_for_rectification":
        replayed.rectifications += 1
    elif trigger == "reopen_tender":
        replayed.tender_reopened = True
    elif trigger == "assign_panel":
        replayed.panel.update(details.get("evaluator_ids") or ())
    elif trigger == "evaluation_award":
        replayed.evaluation_award = (details.get("organization_id"), details.get("amount_fen"))
    if trigger in CLOSING:
        replayed.closed_at = event.at


def walk(project_id: int, events: list[AuditEvent]) -> Replayed:
    """Replay the events in their order: the state they build and where they contradict the
    lifecycle (a wrong starting stage, a move not allowed, a time before the previous one)."""
    replayed = Replayed(project_id)
    state: State | None = None
    for event in events:
        if replayed.at is not None and event.at < replayed.at:
            replayed.problems.append(f"event #{event.id} {event.trigger} is dated {event.at}, "
                                     f"before the event it follows ({replayed.at})")
        if state is None:
            if event.to_state != State.PACKAGING.value or event.from_state is not None:
                replayed.problems.append(f"event #{event.id} {event.trigger} does not create "
                                         "the project")
            state = State(event.to_state) if event.to_state else State.PACKAGING
        else:
            if event.from_state != state.value:
                replayed.problems.append(f"event #{event.id} {event.trigger} starts from "
                                         f"{event.from_state}, but the project was in "
                                         f"{state.value}")
            state = _check_move(replayed, event, state)
        _fold(replayed, event)
        replayed.state, replayed.at = state, max(event.at, replayed.at or event.at)
        replayed.events += 1
    if state is None:
        replayed.problems.append(f"project {project_id} has no audit trail")
    return replayed


def replay(project_id: int, until: datetime | None = None) -> Replayed:
    """The project as its audit trail (up to ``until``) says it is."""
    return walk(project_id, trail(project_id, until))


def stored(project: Project) -> dict[str, Any]:
    """The same facts as ``Replayed.facts``, read from the database's rows."""
    award = project.award
    granted = db.session.execute(db.select(EvaluationAward).where(
        EvaluationAward.project_id == project.id)).scalar_one_or_none()
    return {
        "stage": project.state.value,
        "published_at": project.published_at,
        "closed_at": project.closed_at,
        "award": (award.bid_id, award.organization_id, award.amount_fen) if award else None,
        "contract": ((award.bid_id, award.organization_id, award.amount_fen)
                     if award and award.contract_started_at else None),
        "contract_started_at": award.contract_started_at if award else None,
        "milestones_accepted": {m.sequence: m.accepted_at
                                for m in sorted(project.milestones, key=lambda m: m.sequence)
                                if m.status is MilestoneStatus.ACCEPTED},
        "rectifications": project.rectifications,
        "tender_reopened": project.tender_reopened,
        "panel": sorted(seat.evaluator_id for seat in project.panel),
        "evaluation_award": (granted.organization_id, granted.amount_fen) if granted else None,
    }


@dataclass(frozen=True)
class Comparison:
    """Each fact as replayed and as stored; ``differences`` names those that disagree."""

    replayed: Replayed
    rows: list[tuple[str, Any, Any]]

    @property
    def differences(self) -> list[str]:
        return [name for name, events, database in self.rows if events != database]

    @property
    def matches(self) -> bool:
        return not self.differences and not self.replayed.problems


def compare(project: Project) -> Comparison:
    """Replay the whole trail and hold each fact against the database's."""
    replayed = replay(project.id)
    facts, rows = replayed.facts(), stored(project)
    return Comparison(replayed, [(name, facts[name], rows[name]) for name in facts])
