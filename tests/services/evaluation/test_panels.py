"""Panel evaluation: appointed evaluators only, recusal, and the weighted mean by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import AuditEvent, Indicator, IndicatorSet, Role
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.moves import move
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.evaluation.panels import (
    assign_panel,
    declare_conflict,
    panel_result,
    public_result,
    set_quorum,
)
from tests.conftest import _empty_tables
from tests.factories import at, gen_account, gen_cast, gen_project


@pytest.fixture
def cast(app):
    return gen_cast()


@pytest.fixture
def uneven_set(app):
    """Weights 50/30/20 with maxima 10/20/5, so scores are not percentages."""
    indicator_set = IndicatorSet(code="uneven_test", name_zh="测试", name_en="Test")
    for n, (code, weight, max_score) in enumerate([("a", 50, 10), ("b", 30, 20), ("c", 20, 5)]):
        indicator_set.indicators.append(Indicator(code=code, position=n, name_zh=code,
                                                  name_en=code, weight=weight,
                                                  max_score=max_score))
    db.session.add(indicator_set)
    db.session.commit()
    yield indicator_set
    db.session.rollback()
    _empty_tables()  # projects refer to the set; the catalog tables outlive the test
    db.session.execute(db.delete(Indicator).where(Indicator.set_code == "uneven_test"))
    db.session.execute(db.delete(IndicatorSet).where(IndicatorSet.code == "uneven_test"))
    db.session.commit()


def sheet(project, evaluator, a, b, c):
    return evaluate(project.id, actor=evaluator, no_conflict=True, now=at(60),
                    scores={"a": a, "b": b, "c": c})


def test_the_score_is_the_weighted_mean_of_the_sheets_that_count(cast, uneven_set) -> None:
    project = gen_project(cast, State.EVALUATION)
    project.indicator_set_code = uneven_set.code
    db.session.commit()
    first, second, third = cast.evaluators
    # 50·8/10 + 30·15/20 + 20·4/5 = 40 + 22.5 + 16 = 78.50
    assert sheet(project, first, "8", "15", "4").total_score == Decimal("78.50")
    # 50·9/10 + 30·12/20 + 20·5/5 = 45 + 18 + 20 = 83.00
    assert sheet(project, second, "9", "12", "5").total_score == Decimal("83.00")
    # 50·2/10 + 30·4/20 + 20·1/5 = 10 + 6 + 4 = 20.00
    assert sheet(project, third, "2", "4", "1").total_score == Decimal("20.00")
    assert project.evaluation_score() == Decimal("60.50")  # (78.5 + 83 + 20) / 3

    declare_conflict(project.id, actor=third, reason="曾为承接机构做过项目督导。", now=at(61))
    db.session.expire_all()
    result = panel_result(project)
    assert result.score == Decimal("80.75")  # (78.5 + 83) / 2: the recused sheet is left out
    assert result.grade == "pass"
    assert {i.code: mean for i, mean in result.indicator_means.items()} == {
        "a": Decimal("8.50"), "b": Decimal("13.50"), "c": Decimal("4.50")}
    assert [m.evaluator_id for m in result.recused] == [third.id]
    recusal = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="recuse")).scalar_one()
    assert recusal.actor_account_id == third.id and recusal.reason.startswith("曾为")

    # while the panel scores, the public learns no score: with one sheet in, the mean is it
    assert public_result(project).sheets == [] and public_result(project).score is None
    assert result.score is not None
    move(project.id, "close_out", actor=first, now=at(62))
    assert project.state is State.COMPLETED
    published = public_result(project).sheets
    assert [(s.evaluator_id, s.total_score) for s in published] == [
        (first.id, Decimal("78.50")), (second.id, Decimal("83.00"))]


def test_the_pass_and_excellent_marks_are_configurable(app, cast, uneven_set) -> None:
    project = gen_project(cast, State.EVALUATION)
    project.indicator_set_code = uneven_set.code
    db.session.commit()
    sheet(project, cast.evaluators[0], "10", "18", "5")  # 50 + 27 + 20 = 97
    sheet(project, cast.evaluators[1], "9", "17", "4")  # 45 + 25.5 + 16 = 86.5
    assert panel_result(project).score is None  # two sheets of three: no score yet
    set_quorum(project.id, 2, actor=cast.admin, now=at(60))
    db.session.expire_all()
    assert panel_result(project).score == Decimal("91.75")
    assert panel_result(project).grade == "excellent"
    app.config["EVALUATION_EXCELLENT_MARK"] = 95
    assert panel_result(project).grade == "pass"
    app.config["EVALUATION_PASS_MARK"] = 92
    assert panel_result(project).grade == "fail"
    with pytest.raises(MoveRefused) as info:
        move(project.id, "close_out", actor=cast.evaluators[0], now=at(61))
    assert info.value.guard == "score_passes"


def test_only_the_panel_scores_and_a_recused_member_no_longer_may(cast) -> None:
    project = gen_project(cast, State.EVALUATION)
    codes = {i.code: "80" for i in project.indicator_set.indicators}
    outsider = gen_account(Role.EVALUATOR)
    with pytest.raises(Forbidden):
        evaluate(project.id, actor=outsider, scores=codes, no_conflict=True, now=at(60))
    declare_conflict(project.id, actor=cast.evaluators[2], reason="亲属在承接机构任职", now=at(60))
    with pytest.raises(Forbidden):
        evaluate(project.id, actor=cast.evaluators[2], scores=codes, no_conflict=True,
                 now=at(60))
    with pytest.raises(Conflict):
        declare_conflict(project.id, actor=cast.evaluators[2], reason="again", now=at(60))
    with pytest.raises(Invalid):
        declare_conflict(project.id, actor=cast.evaluators[1], reason=" ", now=at(60))
    assert project.evaluations == []


def test_the_administrator_appoints_a_full_panel_and_replaces_a_recused_member(cast) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)
    first, second, third = cast.evaluators
    with pytest.raises(Invalid) as info:
        assign_panel(project.id, [first.id, second.id], actor=cast.admin, now=at(40))
    assert "1 more" in info.value.message
    with pytest.raises(Invalid):
        assign_panel(project.id, [first.id, second.id, cast.ngos[0].id], actor=cast.admin,
                     now=at(40))
    with pytest.raises(Forbidden):
        assign_panel(project.id, [first.id, second.id, third.id], actor=cast.community,
                     now=at(40))
    assert project.panel == []

    assign_panel(project.id, [first.id, second.id, third.id], actor=cast.admin, now=at(40))
    with pytest.raises(Conflict):
        assign_panel(project.id, [first.id], actor=cast.admin, now=at(41))
    declare_conflict(project.id, actor=second, reason="曾参与该项目设计", now=at(41))
    replacement = gen_account(Role.EVALUATOR)
    assign_panel(project.id, [replacement.id], actor=cast.admin, now=at(42))
    db.session.expire_all()
    active = [m.evaluator_id for m in project.panel if not m.is_recused]
    assert active == [first.id, third.id, replacement.id]


def test_a_panel_is_appointed_only_around_delivery(cast) -> None:
    project = gen_project(cast, State.TENDERING)
    with pytest.raises(Conflict):
        assign_panel(project.id, [e.id for e in cast.evaluators], actor=cast.admin, now=at(20))
