"""The administrator approves (or rejects) the organizations and stations that sign up."""

from __future__ import annotations

from datetime import datetime

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models import Account, Organization, OrgStatus, Role
from marketplace.services.core.access import require
from marketplace.services.core.errors import Conflict, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import send


def decide_organization(organization_id: int, *, actor: Account, approve: bool,
                        now: datetime | None = None) -> Organization:
    now = now or utcnow()
    require(actor, Role.ADMIN)
    with atomic():
        organization = db.session.get(Organization, organization_id)
        if organization is None:
            raise NotFound("No organization %(id)s.", id=organization_id)
        if organization.status is not OrgStatus.PENDING:
            raise Conflict("This organization has already been decided.", rule="decided_once")
        organization.status = OrgStatus.APPROVED if approve else OrgStatus.REJECTED
        record(None, actor, "approve_organization" if approve else "reject_organization",
               now=now, details={"organization_id": organization.id})
        # the people waiting were told they would hear of the decision (the pending banner)
        kind = "organization_approved" if approve else "organization_rejected"
        send(None, [(account, kind) for account in organization.accounts if account.is_active],
             {"organization": organization.name}, at=now)
    return organization
