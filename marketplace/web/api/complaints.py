"""Complaints in the standstill: a losing bidder lodges one, the administrator decides it."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from marketplace.extensions import db
from marketplace.models import Account, Complaint, Role
from marketplace.services.core.access import owns_station
from marketplace.services.core.errors import NotFound
from marketplace.services.core.visibility import check_visible
from marketplace.services.tendering import complaints
from marketplace.web.api import bp
from marketplace.web.api.common import body, boolean, iso, now, project_or_404, signed_in, text


def complaint(row: Complaint) -> dict[str, Any]:
    return {"id": row.id, "project_id": row.project_id,
            "organization": {"id": row.organization_id, "name": row.organization.name},
            "award_bid_id": row.award_bid_id, "reasons": row.reasons,
            "lodged_at": iso(row.lodged_at), "status": row.status.value,
            "decided_at": iso(row.decided_at), "decision_reason": row.decision_reason}


def _may_read(row: Complaint, account: Account) -> bool:
    """The administrator and the station's community read all; a bidder reads its own."""
    return (account.role is Role.ADMIN or owns_station(account, row.project)
            or row.organization_id == account.organization_id)


@bp.get("/projects/<int:project_id>/complaints")
def list_complaints(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    project = check_visible(project_or_404(project_id), account)
    return {"standstill_ends_at": iso(project.standstill_ends_at),
            "complaints": [complaint(c) for c in project.complaints if _may_read(c, account)]}


@bp.post("/projects/<int:project_id>/complaints")
def lodge_complaint(project_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    row = complaints.lodge_complaint(project_id, actor=account,
                                     reasons=text(body(), "reasons", max_length=5000), now=now())
    return complaint(row), 201


@bp.post("/complaints/<int:complaint_id>/decision")
def decide_complaint(complaint_id: int) -> ResponseReturnValue:
    account = signed_in()
    data = body()
    uphold = boolean(data, "uphold")
    if db.session.get(Complaint, complaint_id) is None:
        raise NotFound("No complaint %(id)s.", id=complaint_id)
    row = complaints.decide_complaint(complaint_id, actor=account, uphold=uphold,
                                      reason=text(data, "reason", max_length=5000), now=now())
    return complaint(row)
