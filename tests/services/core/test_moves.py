"""Every move of the lifecycle, made and refused through the service, with its audit event."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import AuditEvent, BidStatus, Commitment, Project, Review
from marketplace.services.core.errors import Forbidden
from marketplace.services.core.moves import move
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.subscription import funding
from marketplace.services.tendering import tender
from tests.factories import at, gen_cast, gen_project, gen_station


def events(project: Project) -> list[tuple[str, str | None, str | None]]:
    rows = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.project_id == project.id).order_by(AuditEvent.id)
    ).scalars()
    return [(e.trigger, e.from_state, e.to_state) for e in rows]


def refused(project: Project, trigger: str, **kwargs) -> MoveRefused:
    before = events(project)
    with pytest.raises(MoveRefused) as info:
        move(project.id, trigger, **kwargs)
    db.session.expire_all()
    assert events(project) == before, "a refused move writes no audit event"
    return info.value


@pytest.fixture
def cast(app):
    return gen_cast()


def test_happy_path_writes_one_audit_event_per_move(cast) -> None:
    project = gen_project(cast, State.COMPLETED)
    assert project.state is State.COMPLETED
    moves = [(t, f, to) for t, f, to in events(project) if f != to]
    assert moves == [
        ("create", None, "packaging"),
        ("publish", "packaging", "publication"),
        ("open_subscription", "publication", "subscription"),
        ("close_subscription", "subscription", "tendering"),
        ("start_contract", "tendering", "implementation"),
        ("submit_for_evaluation", "implementation", "evaluation"),
        ("close_out", "evaluation", "completed"),
    ]
    event = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="award")).scalar_one()
    assert event.actor == cast.community.label and event.actor_account_id == cast.community.id
    assert event.details["bid_id"] == project.award.bid_id
    assert project.award.organization_id == cast.ngos[0].organization_id
    started = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="start_contract")).scalar_one()
    assert started.actor == "scheduler" and started.at == event.at + timedelta(days=5)


def test_submit_refuses_an_incomplete_bundle_and_names_the_guard(cast) -> None:
    project = gen_project(cast)
    project.budget_fen += 1
    db.session.commit()
    error = refused(project, "submit", actor=cast.community, now=at(0.1))
    assert error.guard == "budget_matches_items"
    assert "must equal the sum of the items" in error.message

    project.budget_fen -= 1
    project.tender_closes_at = project.subscription_closes_at
    db.session.commit()
    assert refused(project, "submit", actor=cast.community, now=at(0.1)).guard == "dates_in_order"


def test_submit_refuses_a_bundle_of_an_unapproved_station(cast) -> None:
    station = gen_station(cast.community, status="pending")
    project = gen_project(cast, station=station)
    assert refused(project, "submit", actor=cast.community,
                   now=at(0.1)).guard == "station_approved"


def test_review_rejection_returns_the_bundle_with_the_reason(cast) -> None:
    project = gen_project(cast)
    assert refused(project, "publish", actor=cast.admin, now=at(0.1)).guard == "under_review"
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    assert refused(project, "reject", actor=cast.admin, now=at(0.2)).guard == "reason_given"
    move(project.id, "reject", actor=cast.admin, now=at(0.2), reason="预算单价偏高")
    db.session.expire_all()
    assert project.state is State.PACKAGING and project.review is Review.REJECTED
    assert project.review_reason == "预算单价偏高"
    assert events(project)[-1] == ("reject", "packaging", "packaging")
    move(project.id, "submit", actor=cast.community, now=at(0.3))
    move(project.id, "publish", actor=cast.admin, now=at(0.4))
    db.session.expire_all()
    assert project.state is State.PUBLICATION and project.published_at == at(0.4)


def test_only_the_administrator_publishes(cast) -> None:
    project = gen_project(cast)
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    with pytest.raises(Forbidden):
        move(project.id, "publish", actor=cast.community, now=at(0.2))


def test_subscription_opens_only_when_its_window_opens(cast) -> None:
    project = gen_project(cast, State.PUBLICATION)
    error = refused(project, "open_subscription", actor="scheduler", now=at(1.9))
    assert error.guard == "subscription_window_open"
    move(project.id, "open_subscription", actor="scheduler", now=at(2))
    db.session.expire_all()
    assert project.state is State.SUBSCRIPTION


def test_funded_at_deadline_goes_to_tendering_and_collects(cast) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)  # one third subscribed
    funding.subscribe(project.id, project.funding_minimum_fen - project.committed_fen,
                      actor=cast.enterprises[1], now=at(5))
    assert refused(project, "close_subscription", actor="scheduler", now=at(15)).guard == "funded"
    assert refused(project, "fail_funding", actor="scheduler",
                   now=at(16)).guard == "below_minimum_at_deadline"
    move(project.id, "close_subscription", actor="scheduler", now=at(16))
    db.session.expire_all()
    assert project.state is State.TENDERING
    assert {s.status for s in project.subscriptions} == {Commitment.COLLECTED}


def test_below_minimum_at_deadline_is_unfunded_and_releases_every_commitment(cast) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    assert refused(project, "fail_funding", actor="scheduler", now=at(15)).guard == \
        "below_minimum_at_deadline"
    move(project.id, "fail_funding", actor="scheduler", now=at(16))
    db.session.expire_all()
    assert project.state is State.UNFUNDED and project.committed_fen == 0
    assert {s.status for s in project.subscriptions} == {Commitment.RELEASED}
    event = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="fail_funding")).scalar_one()
    assert event.actor == "scheduler" and event.details["released_fen"] > 0


def test_reaching_the_target_closes_the_subscription_at_once(cast) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    funding.subscribe(project.id, project.remaining_fen, actor=cast.enterprises[1], now=at(4))
    db.session.expire_all()
    assert project.state is State.TENDERING
    assert events(project)[-1] == ("close_subscription", "subscription", "tendering")


def test_award_waits_for_the_tender_to_close_and_a_valid_bid(cast) -> None:
    project = gen_project(cast, State.TENDERING)
    bid = project.bids[0]
    error = refused(project, "award", actor=cast.community, now=at(29), bid_id=bid.id)
    assert error.guard == "tender_closed"
    error = refused(project, "award", actor=cast.community, now=at(31), bid_id=999999)
    assert error.guard == "chosen_bid_valid"
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=bid.id)
    db.session.expire_all()
    assert project.state is State.TENDERING, "the award is provisional until the standstill ends"
    assert project.standstill_ends_at == at(36) and project.next_check_at == at(36)
    assert [b.status for b in project.bids] == [BidStatus.AWARDED, BidStatus.LOST]
    assert project.milestones == []
    error = refused(project, "award", actor=cast.community, now=at(32), bid_id=bid.id)
    assert error.guard == "not_awarded"
    error = refused(project, "start_contract", actor="scheduler", now=at(35))
    assert error.guard == "standstill_over"
    move(project.id, "start_contract", actor="scheduler", now=at(36))
    db.session.expire_all()
    assert project.state is State.IMPLEMENTATION
    assert project.award.contract_started_at == at(36)
    assert [m.share_pct for m in project.milestones] == [40, 60]


def test_a_tender_without_valid_bids_reopens_once_then_is_abandoned(cast) -> None:
    project = gen_project(cast, State.TENDERING)
    for bid in project.bids:
        bid.status = BidStatus.WITHDRAWN
    db.session.commit()
    error = refused(project, "abandon_tender", actor="scheduler", now=at(31))
    assert error.guard == "reopened_before"
    error = refused(project, "reopen_tender", actor=cast.community, now=at(31),
                    tender_closes_at=at(30))
    assert error.guard == "new_deadline_ahead"
    move(project.id, "reopen_tender", actor=cast.community, now=at(31), tender_closes_at=at(45))
    db.session.expire_all()
    assert project.state is State.TENDERING and project.tender_closes_at == at(45)
    assert refused(project, "reopen_tender", actor=cast.community, now=at(46),
                   tender_closes_at=at(60)).guard == "not_reopened_before"
    move(project.id, "abandon_tender", actor="scheduler", now=at(46))
    db.session.expire_all()
    assert project.state is State.CANCELLED
    assert {s.status for s in project.subscriptions} == {Commitment.RELEASED}


def test_evaluation_needs_every_milestone_accepted(cast) -> None:
    project = gen_project(cast, State.IMPLEMENTATION)  # first of two milestones accepted
    error = refused(project, "submit_for_evaluation", actor=cast.community, now=at(60))
    assert error.guard == "milestones_accepted"


def test_close_out_needs_a_passing_score_of_the_whole_panel(cast) -> None:
    project = gen_project(cast, State.EVALUATION)
    error = refused(project, "close_out", actor=cast.evaluators[0], now=at(60))
    assert error.guard == "panel_decided" and "0 of 3" in error.message
    for evaluator in cast.evaluators:
        evaluate(project.id, actor=evaluator, no_conflict=True, now=at(60),
                 scores={i.code: i.max_score * Decimal("0.4")
                         for i in project.indicator_set.indicators})
    error = refused(project, "close_out", actor=cast.evaluators[0], now=at(61))
    assert error.guard == "score_passes"


def test_a_failing_score_returns_once_for_rectification_then_terminates(cast) -> None:
    project = gen_project(cast, State.TERMINATED)
    moves = [(t, f, to) for t, f, to in events(project) if f != to]
    assert moves[-4:] == [
        ("submit_for_evaluation", "implementation", "evaluation"),
        ("return_for_rectification", "evaluation", "implementation"),
        ("submit_for_evaluation", "implementation", "evaluation"),
        ("terminate", "evaluation", "terminated"),
    ]
    assert project.rectifications == 1 and project.milestones[-1].title == "Rectification"


@pytest.mark.parametrize("state", [State.PACKAGING, State.PUBLICATION, State.SUBSCRIPTION,
                                   State.TENDERING])
def test_cancel_with_a_reason_from_every_early_stage(cast, state) -> None:
    project = gen_project(cast, state)
    later = project.created_at + timedelta(days=31)
    assert refused(project, "cancel", actor=cast.community, now=later,
                   reason="  ").guard == "reason_given"
    move(project.id, "cancel", actor=cast.community, now=later, reason="社区合并，项目取消")
    db.session.expire_all()
    assert project.state is State.CANCELLED and project.cancel_reason == "社区合并，项目取消"
    assert project.committed_fen == 0
    assert all(s.status is Commitment.RELEASED for s in project.subscriptions)


@pytest.mark.parametrize("state", [State.IMPLEMENTATION, State.COMPLETED, State.UNFUNDED])
def test_cancel_is_refused_once_the_work_has_started_or_ended(cast, state) -> None:
    project = gen_project(cast, state)
    error = refused(project, "cancel", actor=cast.community, now=at(200), reason="x")
    assert error.guard == "not_allowed" and state.value in error.message


def test_an_unknown_move_is_refused_clearly(cast) -> None:
    project = gen_project(cast)
    assert "Unknown move" in refused(project, "teleport", actor=cast.admin, now=at(1)).message


def test_bids_are_refused_after_the_tender_closes(cast) -> None:
    from marketplace.services.core.errors import Conflict

    project = gen_project(cast, State.TENDERING)
    with pytest.raises(Conflict):
        tender.submit_bid(project.id, actor=cast.ngos[0], price_fen=100, delivery_plan="x",
                          now=at(30))
