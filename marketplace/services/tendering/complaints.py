"""Complaints in the standstill: a losing bidder objects, the administrator decides.

The award is provisional until ``standstill_ends_at``; the clock's ``start_contract`` refuses
while a complaint is open. Deciding a complaint puts the project back on the clock, so a
dismissal after the standstill lets the contract start at the next sweep, and an upheld
complaint re-awards the next-best bid with a fresh standstill.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import DEFAULT_STANDSTILL_DAYS, State, in_standstill
from marketplace.models import Account, BidStatus, Complaint, ComplaintStatus, Project, Role
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import notify_for
from marketplace.services.tendering import scoring


def lodge_complaint(project_id: int, *, actor: Account, reasons: str,
                    now: datetime | None = None) -> Complaint:
    """A losing bidder objects to the provisional award before the standstill ends."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with atomic():
        project = lock_project(project_id)
        if not in_standstill(project, now):
            raise Conflict("Complaints are accepted only during the standstill after an award.",
                           rule="standstill_open")
        lost = any(bid.organization_id == actor.organization_id
                   and bid.status is BidStatus.LOST for bid in project.bids)
        if not lost:
            raise Forbidden("Only a bidder that did not win may complain about the award.")
        if not reasons.strip():
            raise Invalid("Give the reasons for the complaint.", field="reasons")
        if any(c.is_open and c.organization_id == actor.organization_id
               for c in project.complaints):
            raise Conflict("Your organization already has an open complaint on this award.",
                           rule="one_open_complaint")
        complaint = Complaint(project=project, organization_id=actor.organization_id,
                              lodged_by_id=actor.id, award_bid_id=project.award.bid_id,
                              reasons=reasons.strip(), lodged_at=now)
        db.session.add(complaint)
        db.session.flush()
        record(project, actor, "complain", now=now, from_state=project.state.value,
               to_state=project.state.value, reason=complaint.reasons,
               details={"complaint_id": complaint.id, "bid_id": complaint.award_bid_id})
    return complaint


def _reaward(project: Project, now: datetime) -> dict[str, object]:
    """Cancel the standing award and give it to the next-best bid, with a new standstill."""
    cancelled = project.award.bid
    cancelled.status = BidStatus.REJECTED
    details: dict[str, object] = {"cancelled_bid_id": cancelled.id}
    successor = scoring.next_best(project)
    if successor is None:  # nobody left: the tender ends unawarded (the clock may abandon it)
        db.session.delete(project.award)
        project.award = None
        project.standstill_ends_at = None
        project.next_check_at = now
        return details
    successor.status = BidStatus.SUBMITTED
    award = project.award_to(successor.id, now)
    days = current_app.config.get("STANDSTILL_DAYS", DEFAULT_STANDSTILL_DAYS)
    project.standstill_ends_at = now + timedelta(days=days)
    project.next_check_at = project.standstill_ends_at
    details.update(bid_id=award.bid.id, organization_id=award.organization_id,
                   amount_fen=award.amount_fen,
                   standstill_ends_at=project.standstill_ends_at.isoformat())
    return details


def decide_complaint(complaint_id: int, *, actor: Account, uphold: bool, reason: str,
                     now: datetime | None = None) -> Complaint:
    """The administrator upholds (re-award) or dismisses an open complaint, with a reason."""
    now = now or utcnow()
    require(actor, Role.ADMIN)
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("No complaint %(id)s.", id=complaint_id)
    with atomic():
        project = lock_project(complaint.project_id)
        db.session.refresh(complaint, with_for_update=True)
        if not complaint.is_open:
            raise Conflict("This complaint is already decided.", rule="decided_once")
        if not reason.strip():
            raise Invalid("Give a reason.", field="reason")
        if project.state is not State.TENDERING or project.award is None or \
                project.award.bid_id != complaint.award_bid_id:
            raise Conflict("The award this complaint is about no longer stands.",
                           rule="award_stands")
        complaint.status = ComplaintStatus.UPHELD if uphold else ComplaintStatus.DISMISSED
        complaint.decided_at, complaint.decided_by_id = now, actor.id
        complaint.decision_reason = reason.strip()
        details: dict[str, object] = {"complaint_id": complaint.id}
        if uphold:
            for other in project.complaints:  # they were about the award now cancelled
                if other.is_open:
                    other.status, other.decided_at = ComplaintStatus.UPHELD, now
                    other.decided_by_id, other.decision_reason = actor.id, reason.strip()
            details.update(_reaward(project, now))
        else:
            # back on the clock: due now if the standstill is over, else at its end
            project.next_check_at = project.standstill_ends_at
        trigger = "uphold_complaint" if uphold else "dismiss_complaint"
        db.session.flush()
        event = record(project, actor, trigger, now=now, from_state=project.state.value,
                       to_state=project.state.value, reason=reason.strip(), details=details)
        notify_for(project, event)
    return complaint
