"""The tender's enquiry period: questions from bidders, public answers from the community."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from marketplace.lifecycle import enquiry_open
from marketplace.models import Question
from marketplace.services.core.visibility import check_visible, may_read_question
from marketplace.services.tendering import enquiries
from marketplace.web.api import bp
from marketplace.web.api.common import body, caller, iso, now, project_or_404, signed_in, text


def question(row: Question) -> dict[str, Any]:
    """A question as anyone may read it: never who asked."""
    return {"id": row.id, "project_id": row.project_id, "question": row.body,
            "asked_at": iso(row.asked_at), "answer": row.answer,
            "answered_at": iso(row.answered_at)}


@bp.get("/projects/<int:project_id>/questions")
def list_questions(project_id: int) -> ResponseReturnValue:
    account = caller()
    project = check_visible(project_or_404(project_id), account)
    return {"enquiry_closes_at": iso(project.enquiry_closes_at),
            "enquiries_open": enquiry_open(project, now()),
            "questions": [question(q) for q in enquiries.questions_of(project.id)
                          if may_read_question(q, project, account)]}


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
