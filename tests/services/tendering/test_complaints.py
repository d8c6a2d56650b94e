"""The standstill: a provisional award, complaints by losing bidders, and the contract after."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import Account, AuditEvent, BidStatus, ComplaintStatus, Project
from marketplace.services.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.services.core.moves import move
from marketplace.services.record.notifications import inbox
from marketplace.services.tendering.complaints import decide_complaint, lodge_complaint
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project

REASONS = "中标方报价低于成本，服务方案无法落实。"


@pytest.fixture
def cast(app):
    return gen_cast()


def awarded(cast) -> Project:
    """Tender closed at day 30; ngos[0] wins provisionally on day 31, standstill to day 36."""
    project = gen_project(cast, State.TENDERING)
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=project.bids[0].id)
    db.session.expire_all()
    return project


def kinds(account: Account) -> list[str]:
    return [note.kind for note in inbox(account)]


def triggers(project: Project) -> list[str]:
    return list(db.session.execute(db.select(AuditEvent.trigger).filter_by(
        project_id=project.id).order_by(AuditEvent.id)).scalars())


def test_without_complaint_the_clock_starts_the_contract_when_the_standstill_ends(cast) -> None:
    project = awarded(cast)
    assert run_due(at(35.9)) == {}
    assert run_due(at(36)) == {project.id: ["start_contract"]}
    assert run_due(at(36)) == {}
    db.session.expire_all()
    assert project.state is State.IMPLEMENTATION and len(project.milestones) == 2
    assert kinds(cast.ngos[0])[0] == "bid_won" and kinds(cast.ngos[1])[0] == "bid_lost"


def test_an_open_complaint_holds_the_contract_until_it_is_dismissed(cast) -> None:
    project = awarded(cast)
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    assert complaint.status is ComplaintStatus.OPEN

    assert run_due(at(36)) == {}, "the contract does not start while a complaint is open"
    db.session.expire_all()
    assert project.state is State.TENDERING and project.milestones == []
    with pytest.raises(MoveRefused) as refused:
        move(project.id, "start_contract", actor=cast.admin, now=at(36.5))
    assert refused.value.guard == "no_open_complaint"

    decide_complaint(complaint.id, actor=cast.admin, uphold=False,
                     reason="报价在预算内，方案经审核可行。", now=at(37))
    assert run_due(at(37)) == {project.id: ["start_contract"]}
    db.session.expire_all()
    assert project.state is State.IMPLEMENTATION
    assert project.award.organization_id == cast.ngos[0].organization_id
    assert complaint.status is ComplaintStatus.DISMISSED and complaint.decided_at == at(37)
    assert kinds(cast.ngos[1])[:2] == ["bid_lost", "complaint_dismissed"]
    assert triggers(project)[-3:] == ["complain", "dismiss_complaint", "start_contract"]


def test_a_dismissal_inside_the_standstill_waits_for_its_end(cast) -> None:
    project = awarded(cast)
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    decide_complaint(complaint.id, actor=cast.admin, uphold=False, reason="不成立", now=at(33))
    assert run_due(at(35)) == {}
    assert run_due(at(36)) == {project.id: ["start_contract"]}


def test_an_upheld_complaint_awards_the_next_best_bid_with_a_new_standstill(cast) -> None:
    project = awarded(cast)
    first, second = project.bids
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    decide_complaint(complaint.id, actor=cast.admin, uphold=True,
                     reason="中标方资质证明不实。", now=at(33))
    db.session.expire_all()
    assert project.state is State.TENDERING
    assert project.award.bid_id == second.id
    assert project.award.organization_id == cast.ngos[1].organization_id
    assert project.award.amount_fen == second.price_fen
    assert (first.status, second.status) == (BidStatus.REJECTED, BidStatus.AWARDED)
    assert project.standstill_ends_at == at(38) and project.next_check_at == at(38)
    assert kinds(cast.ngos[1])[:2] == ["award_provisional", "complaint_upheld"]

    assert run_due(at(36)) == {}, "the old standstill no longer counts"
    assert run_due(at(38)) == {project.id: ["start_contract"]}
    db.session.expire_all()
    assert project.state is State.IMPLEMENTATION
    assert kinds(cast.ngos[1])[0] == "bid_won" and kinds(cast.ngos[0])[0] == "bid_lost"
    upheld = db.session.execute(db.select(AuditEvent).filter_by(
        project_id=project.id, trigger="uphold_complaint")).scalar_one()
    assert upheld.actor_account_id == cast.admin.id
    assert upheld.details["cancelled_bid_id"] == first.id
    assert upheld.details["bid_id"] == second.id


def test_only_a_losing_bidder_complains_and_only_during_the_standstill(cast) -> None:
    project = awarded(cast)
    before = triggers(project)
    with pytest.raises(Forbidden):
        lodge_complaint(project.id, actor=cast.ngos[0], reasons=REASONS, now=at(32))  # winner
    with pytest.raises(Forbidden):
        lodge_complaint(project.id, actor=cast.enterprises[0], reasons=REASONS, now=at(32))
    with pytest.raises(Invalid):
        lodge_complaint(project.id, actor=cast.ngos[1], reasons="  ", now=at(32))
    with pytest.raises(Conflict):
        lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(36))
    with pytest.raises(NotFound):
        lodge_complaint(999999, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    assert triggers(project) == before and project.complaints == []

    lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    with pytest.raises(Conflict):
        lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(33))


def test_only_the_administrator_decides_once_with_a_reason(cast) -> None:
    project = awarded(cast)
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    with pytest.raises(Forbidden):
        decide_complaint(complaint.id, actor=cast.community, uphold=True, reason="x", now=at(33))
    with pytest.raises(Invalid):
        decide_complaint(complaint.id, actor=cast.admin, uphold=True, reason=" ", now=at(33))
    with pytest.raises(NotFound):
        decide_complaint(999999, actor=cast.admin, uphold=True, reason="x", now=at(33))
    db.session.expire_all()
    assert complaint.is_open and project.award.bid_id == project.bids[0].id
    decide_complaint(complaint.id, actor=cast.admin, uphold=False, reason="不成立", now=at(33))
    with pytest.raises(Conflict):
        decide_complaint(complaint.id, actor=cast.admin, uphold=True, reason="改判", now=at(34))


def test_upholding_with_no_bid_left_leaves_the_tender_unawarded(cast) -> None:
    project = gen_project(cast, State.TENDERING)
    project.bids[1].status = BidStatus.WITHDRAWN
    db.session.commit()
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=project.bids[0].id)
    # a third organization's bid lost; here the withdrawn one cannot complain, so make it lose
    project.bids[1].status = BidStatus.LOST
    project.bids[1].price_fen = project.budget_fen + 1  # over budget: not a valid successor
    db.session.commit()
    complaint = lodge_complaint(project.id, actor=cast.ngos[1], reasons=REASONS, now=at(32))
    decide_complaint(complaint.id, actor=cast.admin, uphold=True, reason="成立", now=at(33))
    db.session.expire_all()
    assert project.award is None and project.standstill_ends_at is None
    assert project.state is State.TENDERING
    assert run_due(at(33)) == {}  # not re-opened before: the community may re-open it
    assert project.bids[0].status is BidStatus.REJECTED
