"""The tender's enquiry period: questions from bidders, public answers from the community."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from marketplace.lifecycle import enquiry_open
from marketplace.models import Account, Project, Question, Role
from marketplace.services import enquiries
from marketplace.services.access import owns_station
from marketplace.web.api import bp
from marketplace.web.api.common import body, caller, iso, now, project_or_404, signed_in, text
from marketplace.web.api.visibility import check_visible


def question(row: Question) -> dict[str, Any]:
    """A question as anyone may read it: never who asked."""
    return {"id": row.id, "project_id": row.project_id, "question": row.body,
            "asked_at": iso(row.asked_at), "answer": row.answer,
            "answered_at": iso(row.answered_at)}


def _may_read(row: Question, project: Project, account: Account | None) -> bool:
    """Answers are public; an open question only to the community, the admin and its asker."""
    if row.is_answered:
        return True
    return account is not None and (account.role is Role.ADMIN
                                    or owns_station(account, project)
                                    or row.organization_id == account.organization_id)


@bp.get("/projects/<int:project_id>/questions")
def list_questions(project_id: int) -> ResponseReturnValue:
    account = caller()
    project = check_visible(project_or_404(project_id), account)
    return {"enquiry_closes_at": iso(project.enquiry_closes_at),
            "enquiries_open": enquiry_open(project, now()),
            "questions": [question(q) for q in enquiries.questions_of(project.id)
                          if _may_read(q, project, account)]}


@bp.post("/projects/<int:project_id>/questions")
def ask(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    row = enquiries.ask_question(project_id,
                                 text(body(), "question", max_length=enquiries.MAX_QUESTION),
                                 actor=account, now=now())
    return question(row), 201


@bp.post("/projects/<int:project_id>/questions/<int:question_id>/answer")
def answer(project_id: int, question_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    row = enquiries.answer_question(project_id, question_id,
                                    text(body(), "answer", max_length=enquiries.MAX_ANSWER),
                                    actor=account, now=now())
    return question(row)
