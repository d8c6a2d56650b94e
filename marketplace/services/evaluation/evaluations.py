"""Evaluation: an evaluator scores a delivered project against its indicator set."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Evaluation, IndicatorScore, Role
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.evaluation.panels import may_score
from marketplace.services.record.audit import record


def _conflicted(actor: Account, project: object) -> bool:
    """An evaluator tied to the awarded organization or to a subscriber may not score."""
    tied = {project.award.organization_id} | {s.enterprise_id for s in project.subscriptions}
    return actor.organization_id in tied


def evaluate(project_id: int, *, actor: Account, scores: dict[str, str | Decimal],
             comments: str = "", no_conflict: bool = False,
             now: datetime | None = None) -> Evaluation:
    """Submit one panel member's sheet for the current round; totals are weighted to 100."""
    now = now or utcnow()
    require(actor, Role.EVALUATOR)
    with atomic():
        project = lock_project(project_id)
        if project.state is not State.EVALUATION:
            raise Conflict("The project is not in evaluation.", rule="in_evaluation")
        if not no_conflict:
            raise Invalid("Declare that you have no conflict of interest.", field="no_conflict")
        if _conflicted(actor, project):
            raise Forbidden("You are tied to the awarded organization or a subscriber.")
        may_score(actor, project)
        round_ = project.rectifications + 1
        if any(e.evaluator_id == actor.id and e.round == round_ for e in project.evaluations):
            raise Conflict("You have already scored this round.", rule="one_sheet_a_round")
        sheet = Evaluation(project=project, evaluator=actor, round=round_, comments=comments,
                           no_conflict_declared=True, submitted_at=now)
        db.session.add(sheet)
        for indicator in project.indicator_set.indicators:
            raw = scores.get(indicator.code)
            try:
                value = Decimal(str(raw).strip())
            except (InvalidOperation, ValueError):
                raise Invalid("Score every indicator.", field=indicator.code) from None
            if not value.is_finite() or not 0 <= value <= indicator.max_score:
                raise Invalid("A score must be between 0 and %(max)s.", field=indicator.code,
                              max=indicator.max_score)
            sheet.scores.append(IndicatorScore(indicator=indicator, score=value))
        sheet.total_score = sheet.compute_total()
        record(project, actor, "evaluate", now=now, from_state=project.state.value,
               to_state=project.state.value, details={"total_score": str(sheet.total_score)})
    return sheet
