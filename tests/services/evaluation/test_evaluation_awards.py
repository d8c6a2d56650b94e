"""Evaluation awards: completed projects ranked by panel score; one award per project, paid
from the fund's evaluation-awards use to the organization that delivered it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.demo import Walk
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import EvaluationAward, LedgerTransaction
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.moves import move
from marketplace.services.evaluation.evaluation_awards import (
    AWARDS_USE,
    awards,
    grant_award,
    ranking,
)
from marketplace.services.finance.ledger import balance, fund_account, organization_account
from tests.factories import T0, at, gen_cast, gen_project
from tests.services.finance.test_ledger import assert_sound


def test_the_award_is_posted_from_the_awards_use_to_the_organization_once(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.COMPLETED)
    ngo = project.award.organization
    paid_before = balance(organization_account(ngo))
    award = grant_award(project.id, 8_000_00, "优秀", actor=cast.admin, now=at(120))
    assert award.organization_id == ngo.id
    assert balance(organization_account(ngo)) == paid_before + 8_000_00
    assert balance(fund_account(AWARDS_USE)) == -8_000_00
    with pytest.raises(Conflict, match="already has"):
        grant_award(project.id, 1_00, "", actor=cast.admin, now=at(121))
    assert [a.id for a in awards(ngo.id)] == [award.id]
    assert awards(cast.ngos[1].organization_id) == []
    assert_sound()


def test_only_an_administrator_awards_only_a_completed_project_above_zero(app) -> None:
    cast = gen_cast()
    completed = gen_project(cast, State.COMPLETED)
    terminated = gen_project(cast, State.TERMINATED)
    before = db.session.execute(db.select(db.func.count(LedgerTransaction.id))).scalar_one()
    with pytest.raises(Forbidden):
        grant_award(completed.id, 100, "", actor=cast.community, now=at(120))
    with pytest.raises(Invalid):
        grant_award(completed.id, 0, "", actor=cast.admin, now=at(120))
    with pytest.raises(Conflict, match="completed"):
        grant_award(terminated.id, 100, "", actor=cast.admin, now=at(120))
    assert db.session.execute(db.select(EvaluationAward)).first() is None
    assert db.session.execute(
        db.select(db.func.count(LedgerTransaction.id))).scalar_one() == before


def test_the_ranking_lists_completed_projects_best_score_first(app) -> None:
    cast = gen_cast()
    good = gen_project(cast, State.COMPLETED)  # the walk scores 86
    best = gen_project(cast, State.EVALUATION)
    Walk(cast, best.id, T0)._evaluate(at(45), share=Decimal("0.95"))
    move(best.id, "close_out", actor=cast.evaluators[0], now=at(46))
    gen_project(cast, State.TERMINATED)
    ranked = ranking()
    assert [r.project.id for r in ranked] == [best.id, good.id]
    assert [r.score >= 90 for r in ranked] == [r.excellent for r in ranked] == [True, False]
