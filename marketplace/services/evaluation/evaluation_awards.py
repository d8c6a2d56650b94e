"""Evaluation awards: the administrator rewards the organization that delivered a completed
project best, from the development fund's "evaluation awards" use.

The ranking is the panel's score (``panels.grade``: excellent from the configured mark, 90 by
default). The award is posted from ``fund:use:evaluation_awards`` to the delivering
organization's balance; one award per project, kept by the project's row lock and, for a
stray insert, the unique ``project_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, EvaluationAward, Project, Role
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Invalid
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.evaluation.panels import grade
from marketplace.services.finance.ledger import Cause, fund_account, organization_account, post
from marketplace.services.record.audit import record

AWARDS_USE = "fund:use:evaluation_awards"


@dataclass(frozen=True)
class Ranked:
    project: Project
    score: Decimal | None
    excellent: bool
    award: EvaluationAward | None


def ranking() -> list[Ranked]:
    """Completed projects, best panel score first (unscored last), with any award given."""
    projects = db.session.execute(
        db.select(Project).where(Project.state == State.COMPLETED)
        .options(selectinload(Project.award), selectinload(Project.evaluations),
                 selectinload(Project.panel))).scalars().all()
    awards = {a.project_id: a for a in db.session.execute(
        db.select(EvaluationAward)).scalars()}
    rows = [(p, p.evaluation_score()) for p in projects]
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0].id))
    return [Ranked(p, score, grade(score) == "excellent", awards.get(p.id))
            for p, score in rows]


def grant_award(project_id: int, amount_fen: int, citation: str, *, actor: Account,
                now: datetime) -> EvaluationAward:
    """Pay the award to the organization that delivered the completed project."""
    require(actor, Role.ADMIN)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise Invalid("The amount must be above zero.", field="amount")
    citation = (citation or "").strip()
    if len(citation) > 2000:
        raise Invalid("At most 2000 characters.", field="citation")
    try:
        with atomic():
            project = lock_project(project_id)
            if project.state is not State.COMPLETED or project.award is None:
                raise Conflict("Only a completed project's organization can be awarded.",
                               rule="project_completed")
            if project.evaluation_score() is None:  # closed before its whole panel scored
                raise Conflict("The project's panel has not decided a score: nothing to award.",
                               rule="panel_scored")
            if db.session.execute(db.select(EvaluationAward.id).where(
                    EvaluationAward.project_id == project.id)).first():
                raise Conflict("This project already has its evaluation award.",
                               rule="one_evaluation_award")
            organization = project.award.organization
            award = EvaluationAward(project=project, organization=organization,
                                    amount_fen=amount_fen, citation=citation,
                                    granted_by_id=actor.id, granted_at=now)
            db.session.add(award)
            db.session.flush()
            post(f"Evaluation award to {organization.name} for {project.title}",
                 [(fund_account(AWARDS_USE), -amount_fen),
                  (organization_account(organization), amount_fen)],
                 Cause("evaluation_award", project.id), now=now)
            record(project, actor, "evaluation_award", now=now,
                   from_state=project.state.value, to_state=project.state.value,
                   reason=citation or None,
                   details={"amount_fen": amount_fen, "organization_id": organization.id})
    except IntegrityError as race:  # another administrator's award won
        raise Conflict("This project already has its evaluation award.",
                       rule="one_evaluation_award") from race
    return award


def awards(organization_id: int | None = None) -> list[EvaluationAward]:
    """Awards given, newest first; of one organization when given."""
    query = db.select(EvaluationAward).options(selectinload(EvaluationAward.project),
                                               selectinload(EvaluationAward.organization))
    if organization_id is not None:
        query = query.where(EvaluationAward.organization_id == organization_id)
    return list(db.session.execute(
        query.order_by(EvaluationAward.granted_at.desc(), EvaluationAward.id.desc())).scalars())
