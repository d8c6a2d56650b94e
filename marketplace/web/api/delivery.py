"""Implementation and evaluation: milestone reports, their review, the panel, score sheets."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from marketplace.services.core.errors import Invalid
from marketplace.services.core.visibility import check_visible
from marketplace.services.evaluation import evaluations, panels
from marketplace.services.implementation import delivery
from marketplace.web.api import MAX_ID, bp, serialize
from marketplace.web.api.common import (
    body,
    boolean,
    integer,
    iso,
    now,
    project_or_404,
    signed_in,
    text,
)
from marketplace.web.api.serialize import number


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/reports")
def report(project_id: int, milestone_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    data = body()
    row = delivery.report_progress(project_id, milestone_id, actor=account,
                                   body=text(data, "body"),
                                   people_served=integer(data, "people_served", 0), now=now())
    return {"id": row.id, "milestone": serialize.milestone(row.milestone), "body": row.body,
            "people_served": row.people_served, "submitted_at": iso(row.submitted_at)}, 201


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/review")
def review(project_id: int, milestone_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    data = body()
    row = delivery.review_milestone(project_id, milestone_id, actor=account,
                                    accept=boolean(data, "accept"),
                                    comment=text(data, "comment", ""), now=now())
    return serialize.milestone(row)


@bp.post("/projects/<int:project_id>/panel")
def panel(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    ids = body().get("evaluator_ids")
    if not isinstance(ids, list) or not all(  # past MAX_ID no account exists, nor can be asked for
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids):
        raise Invalid("evaluator_ids must be a list of account ids.", field="evaluator_ids")
    seats = panels.assign_panel(project_id, ids, actor=account, now=now())
    return {"panel": [{"evaluator_id": s.evaluator_id, "recused": s.is_recused}
                      for s in seats]}, 201


@bp.put("/projects/<int:project_id>/panel/quorum")
def panel_quorum(project_id: int) -> ResponseReturnValue:
    """The administrator sets how many seated members must score; null: every one of them."""
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    data = body()
    if "quorum" not in data:
        raise Invalid("Give the quorum, or null for every seated member.", field="quorum")
    quorum = integer(data, "quorum", None, maximum=2**31)
    project = panels.set_quorum(project_id, quorum, actor=account, now=now())
    return serialize.panel_tally(project)


@bp.post("/projects/<int:project_id>/evaluations")
def evaluate(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    data = body()
    scores = data.get("scores")
    if not isinstance(scores, dict) or not all(
            isinstance(v, int | float | str) and not isinstance(v, bool)
            for v in scores.values()):
        raise Invalid("scores must map each indicator code to a number.", field="scores")
    sheet = evaluations.evaluate(project_id, actor=account, scores=scores,
                                 comments=text(data, "comments", ""),
                                 no_conflict=boolean(data, "no_conflict", False), now=now())
    return {"id": sheet.id, "round": sheet.round, "total_score": number(sheet.total_score),
            "submitted_at": iso(sheet.submitted_at),
            "scores": {s.indicator.code: number(s.score) for s in sheet.scores}}, 201
