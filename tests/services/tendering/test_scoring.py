"""Comparing bids: each valid bid's score against the bundle's published award criteria."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from marketplace.demo import bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from marketplace.services.core.errors import Invalid
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.tendering.scoring import (
    Experience,
    compare,
    price_score,
    quality_score,
)
from tests.factories import T0, gen_cast, gen_project, gen_station, services


def test_the_lowest_price_gets_the_whole_price_weight_and_dearer_bids_a_share() -> None:
    assert price_score(9500, 9500, 30) == Decimal("30.00")
    assert price_score(19000, 9500, 30) == Decimal("15.00")
    assert price_score(9800, 9500, 30) == Decimal("29.08")  # 29.0816… rounded half up
    assert price_score(9800, 9500, 0) == Decimal("0.00")


def test_quality_is_the_track_record_and_a_newcomer_counts_at_the_pass_mark() -> None:
    assert quality_score(Experience(), 70, 60) == Decimal("42.00")
    proven = Experience(decided=2, mean_score=Decimal("86.50"))
    assert quality_score(proven, 70, 60) == Decimal("60.55")
    assert quality_score(proven, 100, 60) == Decimal("86.50")


def test_the_opened_bids_rank_by_total_with_the_default_criteria(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    assert (project.price_weight_pct, project.quality_weight_pct) == (30, 70)
    first, second = compare(project)
    assert first.bid.organization_id == cast.ngos[0].organization_id  # 95 % of the budget
    assert (first.price_score, first.quality_score, first.total) == \
        (Decimal("30.00"), Decimal("42.00"), Decimal("72.00"))
    expected = price_score(second.bid.price_fen, first.bid.price_fen, 30)
    assert second.price_score == expected < Decimal("30.00")
    assert second.total == expected + Decimal("42.00")
    assert first.experience == Experience()


def test_a_delivered_project_s_panel_score_is_the_quality_of_its_next_bid(app) -> None:
    cast = gen_cast()
    done = gen_project(cast, State.COMPLETED)  # awarded to ngos[0] and closed out
    record = done.evaluation_score()
    assert record is not None and record > 60
    project = gen_project(cast, State.TENDERING)
    scored = {s.bid.organization_id: s for s in compare(project)}
    winner = scored[cast.ngos[0].organization_id]
    assert winner.experience == Experience(decided=1, mean_score=record)
    assert winner.quality_score == (record * 70 / 100).quantize(Decimal("0.01"))
    assert scored[cast.ngos[1].organization_id].quality_score == Decimal("42.00")


def test_a_bundle_publishes_its_own_weights_and_they_must_add_up_to_100(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    draft = bundle_draft("助餐服务包", T0, services())
    project = create_bundle(station.id, replace(draft, price_weight_pct=50,
                                                quality_weight_pct=50),
                            actor=cast.community, now=T0)
    assert (project.price_weight_pct, project.quality_weight_pct) == (50, 50)
    for price, quality, field in ((40, 70, "quality_weight"), (-10, 110, "price_weight"),
                                  (30, 101, "quality_weight")):
        with pytest.raises(Invalid) as refused:
            create_bundle(station.id, replace(draft, price_weight_pct=price,
                                              quality_weight_pct=quality),
                          actor=cast.community, now=T0)
        assert refused.value.field == field
    assert db.session.execute(db.select(db.func.count(Project.id))).scalar_one() == 1


def test_an_upheld_complaint_passes_the_award_to_the_best_scored_loser_not_the_cheapest(
        app) -> None:
    from marketplace.models import BidStatus, Role
    from marketplace.services.core.moves import move
    from marketplace.services.tendering.complaints import decide_complaint, lodge_complaint
    from marketplace.services.tendering.tender import submit_bid
    from tests.factories import at, gen_account

    cast = gen_cast()
    gen_project(cast, State.TERMINATED)  # ngos[0] delivered it, scored below the pass mark
    project = gen_project(cast, State.TENDERING)  # ngos[0] bids 95 %, ngos[1] 98 % of budget
    third = gen_account(Role.SOCIAL_ORG)
    cheapest = submit_bid(project.id, actor=third, price_fen=project.budget_fen * 90 // 100,
                          delivery_plan="低价方案", now=at(12))
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=cheapest.id)
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons="中标方资质证明不实。",
                                now=at(32))
    decide_complaint(complaint.id, actor=cast.admin, uphold=True, reason="资质不实。",
                     now=at(33))
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    # ngos[0] is cheaper than ngos[1], but its record (a terminated project) ranks it lower
    assert project.award.organization_id == cast.ngos[1].organization_id
    assert {b.organization_id: b.status for b in project.bids
            if b.status is not BidStatus.WITHDRAWN} == {
        third.organization_id: BidStatus.REJECTED,
        cast.ngos[0].organization_id: BidStatus.LOST,
        cast.ngos[1].organization_id: BidStatus.AWARDED}
