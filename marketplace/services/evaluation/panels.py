"""Evaluation panels: the administrator appoints evaluators; only they score the project.

A member who declares a conflict of interest is recused: the declaration stays on record and
their sheet, if any, no longer counts. The project's score is the mean of the counted sheets,
each already a weighted total out of 100 (``Evaluation.compute_total``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Evaluation, Indicator, PanelAssignment, Project, Role
from marketplace.services.core.access import active_members, member, require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.core.visibility import scoring_sealed, sheets_public
from marketplace.services.record.audit import record

DEFAULT_PANEL_SIZE = 3
# Each evaluator's own sheet is published once the evaluation is over, not while it runs.
DEFAULT_EXCELLENT_MARK = 90
# The panel is appointed while the work is delivered or once it is under evaluation.
PANEL_STATES = frozenset({State.IMPLEMENTATION, State.EVALUATION})


def assign_panel(project_id: int, evaluator_ids: list[int], *, actor: Account,
                 now: datetime | None = None) -> list[PanelAssignment]:
    """Appoint evaluators (or replace recused ones) until the panel has its full size."""
    now = now or utcnow()
    require(actor, Role.ADMIN)
    size = current_app.config.get("PANEL_SIZE", DEFAULT_PANEL_SIZE)
    with atomic():
        project = lock_project(project_id)
        if project.state not in PANEL_STATES:
            raise Conflict("A panel is appointed while the project is in implementation or "
                           "evaluation.", rule="panel_states")
        ids = list(dict.fromkeys(evaluator_ids))
        added = []
        for evaluator_id in ids:
            evaluator = db.session.get(Account, evaluator_id)
            if evaluator is None or evaluator.role is not Role.EVALUATOR \
                    or not evaluator.is_active or not evaluator.organization.is_approved:
                raise Invalid("Account %(id)s is not an approved evaluator.",
                              field="evaluator_ids", id=evaluator_id)
            if member(project, evaluator) is not None:
                raise Conflict("%(name)s is already on the panel.", name=evaluator.name,
                               rule="seated_once")
            assignment = PanelAssignment(evaluator=evaluator, assigned_by=actor,
                                         assigned_at=now)
            project.panel.append(assignment)
            added.append(assignment)
        if not added:
            raise Invalid("Choose the evaluators.", field="evaluator_ids")
        if len(active_members(project)) < size:
            raise Invalid("A panel has %(size)s evaluators; choose %(more)s more.",
                          field="evaluator_ids", size=size,
                          more=size - len(active_members(project)))
        record(project, actor, "assign_panel", now=now, from_state=project.state.value,
               to_state=project.state.value,
               details={"evaluator_ids": [a.evaluator_id for a in added]})
    return added


def set_quorum(project_id: int, quorum: int | None, *, actor: Account,
               now: datetime | None = None) -> Project:
    """How many seated members must have scored before the panel decides; None: all of them.

    A quorum is a majority of the seated panel at least, so that one sheet never decides for
    three members, and at most the seated members.
    """
    now = now or utcnow()
    require(actor, Role.ADMIN)
    with atomic():
        project = lock_project(project_id)
        if project.state not in PANEL_STATES:
            raise Conflict("A panel's quorum is set while the project is in implementation or "
                           "evaluation.", rule="panel_states")
        seated = len(active_members(project))
        if not seated:
            raise Conflict("Appoint the panel first.", rule="panel_seated")
        if quorum is not None and not seated // 2 < quorum <= seated:
            raise Invalid("The quorum must be between %(lowest)s and %(seated)s, a majority of "
                          "the seated panel.", field="quorum", lowest=seated // 2 + 1,
                          seated=seated)
        before, project.panel_quorum = project.panel_quorum, quorum
        record(project, actor, "set_panel_quorum", now=now, from_state=project.state.value,
               to_state=project.state.value, details={"quorum": quorum, "previous": before})
    return project


def declare_conflict(project_id: int, *, actor: Account, reason: str,
                     now: datetime | None = None) -> PanelAssignment:
    """The evaluator steps back from the panel; a sheet already given stops counting."""
    now = now or utcnow()
    require(actor, Role.EVALUATOR)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say what the conflict of interest is.", field="reason")
    with atomic():
        project = lock_project(project_id)
        seat = member(project, actor)
        if seat is None:
            raise Forbidden("You are not on this project's evaluation panel.")
        if seat.is_recused:
            raise Conflict("You have already declared a conflict on this project.",
                           rule="recused_once")
        if project.state not in PANEL_STATES:
            raise Conflict("The evaluation of this project is over.", rule="panel_states")
        seat.recused_at, seat.recusal_reason = now, reason
        record(project, actor, "recuse", now=now, from_state=project.state.value,
               to_state=project.state.value, reason=reason)
    return seat


def may_score(actor: Account, project: Project) -> None:
    """Raise Forbidden unless the actor sits on the project's panel and is not recused."""
    seat = member(project, actor)
    if seat is None:
        raise Forbidden("Only the evaluators on the project's panel may score it.")
    if seat.is_recused:
        raise Forbidden("You declared a conflict of interest on this project.")


@dataclass(frozen=True)
class PanelResult:
    """What is published about a round of scoring."""

    score: Decimal | None
    grade: str | None  # "excellent", "pass" or "fail"; None before any sheet
    indicator_means: dict[Indicator, Decimal]  # raw score means, out of each max_score
    sheets: list[Evaluation]
    recused: list[PanelAssignment]


def grade(score: Decimal | None) -> str | None:
    if score is None:
        return None
    if score >= current_app.config.get("EVALUATION_EXCELLENT_MARK", DEFAULT_EXCELLENT_MARK):
        return "excellent"
    return "pass" if score >= current_app.config["EVALUATION_PASS_MARK"] else "fail"


def public_result(project: Project) -> PanelResult:
    """What a visitor sees: the score, grade and indicator means once the panel has decided;
    the sheets after close-out. While the evaluation runs nothing is shown: a mean of the
    sheets already in is one evaluator's own score (or lets a member work out another's)."""
    result = panel_result(project)
    if sheets_public(project):
        return result
    if scoring_sealed(project):
        return PanelResult(score=None, grade=None, indicator_means={}, sheets=[],
                           recused=result.recused)
    return PanelResult(score=result.score, grade=result.grade,
                       indicator_means=result.indicator_means, sheets=[],
                       recused=result.recused)


def panel_result(project: Project) -> PanelResult:
    """The panel's decided result; nothing of a round the panel has not finished scoring."""
    score = project.evaluation_score()
    sheets = project.counted_evaluations() if score is not None else []
    means = {}
    for indicator in project.indicator_set.indicators if project.indicator_set else []:
        values = [s.score for sheet in sheets for s in sheet.scores
                  if s.indicator_id == indicator.id]
        if values:
            means[indicator] = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
    return PanelResult(score=score, grade=grade(score), indicator_means=means, sheets=sheets,
                       recused=[m for m in project.panel if m.is_recused])
