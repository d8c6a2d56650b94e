"""The enquiry period: approved social organizations ask, the community answers in public.

Questions are taken while the project is in tendering and before ``enquiry_closes_at``; every
answer is published with its question on the project page, so all bidders read the same
clarification. The asker's identity is kept for the record but never shown.
"""

from __future__ import annotations

from datetime import datetime

from marketplace.extensions import db
from marketplace.lifecycle import State, enquiry_open
from marketplace.models import Account, BidStatus, Project, Question, Role
from marketplace.services.core.access import owns_station, require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import accounts_of, send

MAX_QUESTION = 2000
MAX_ANSWER = 5000


def _params(project: Project) -> dict[str, object]:
    return {"title": project.title, "project_id": project.id}


def ask_question(project_id: int, body: str, *, actor: Account, now: datetime) -> Question:
    """An approved social organization asks about the tender before the enquiry period ends."""
    require(actor, Role.SOCIAL_ORG)
    body = (body or "").strip()
    if not body:
        raise Invalid("Write your question.", field="body")
    if len(body) > MAX_QUESTION:
        raise Invalid("A question may be at most %(max)s characters.", field="body",
                      max=MAX_QUESTION)
    with atomic():
        project = lock_project(project_id)
        if not enquiry_open(project, now):
            raise Conflict("The enquiry period is over: questions are no longer taken.",
                           field="body", rule="enquiry_open")
        question = Question(project=project, organization_id=actor.organization_id,
                            asked_by_id=actor.id, body=body, asked_at=now)
        db.session.add(question)
        db.session.flush()
        # The public trail says a question came in, not who asked it.
        record(project, actor, "ask_question", now=now, from_state=project.state.value,
               to_state=project.state.value, details={"question_id": question.id})
        community = accounts_of([project.station.community_id])
        send(project, [(account, "question_asked") for account in community], _params(project),
             at=now)
    return question


def answer_question(project_id: int, question_id: int, answer: str, *, actor: Account,
                    now: datetime) -> Question:
    """The station's community answers; the answer goes to every organization in the tender."""
    require(actor, Role.COMMUNITY)
    answer = (answer or "").strip()
    if not answer:
        raise Invalid("Write the answer.", field="answer")
    if len(answer) > MAX_ANSWER:
        raise Invalid("An answer may be at most %(max)s characters.", field="answer",
                      max=MAX_ANSWER)
    with atomic():
        project = lock_project(project_id)
        if not owns_station(actor, project):
            raise Forbidden("Only the station's own community may answer its questions.")
        question = next((q for q in project.questions if q.id == question_id), None)
        if question is None:
            raise NotFound("No question %(id)s on this project.", id=question_id)
        if question.is_answered:
            raise Conflict("This question is already answered.", rule="answered_once")
        if project.state is not State.TENDERING:
            raise Conflict("Questions are answered only while the project is in tendering.",
                           rule="in_tendering")
        question.answer, question.answered_at, question.answered_by_id = answer, now, actor.id
        record(project, actor, "answer_question", now=now, from_state=project.state.value,
               to_state=project.state.value, details={"question_id": question.id})
        bidders = {q.organization_id for q in project.questions} | {
            b.organization_id for b in project.bids if b.status is not BidStatus.WITHDRAWN}
        send(project, [(account, "question_answered") for account in accounts_of(bidders)],
             _params(project), at=now)
    return question


def questions_of(project_id: int) -> list[Question]:
    return list(db.session.execute(
        db.select(Question).where(Question.project_id == project_id)
        .order_by(Question.asked_at, Question.id)).scalars())
