"""Sealed bids: who may read which bids of a tender, and when."""

from __future__ import annotations

from datetime import datetime

from marketplace.lifecycle import past
from marketplace.models import Account, Bid, BidStatus, Project, Role
from marketplace.services.access import owns_station
from marketplace.services.errors import Forbidden


def tender_closed(project: Project, now: datetime) -> bool:
    """The bids are opened once the tender's deadline has come."""
    return past(project.tender_closes_at, now)


def visible_bids(project: Project, actor: Account, now: datetime) -> list[Bid]:
    """A social organization always sees its own bids; nobody sees another's before the tender
    closes; afterwards the station's community and the administrator see them all, except the
    withdrawn ones (taken back or replaced), which are never opened."""
    if actor.role is Role.SOCIAL_ORG:
        return [b for b in project.bids if b.organization_id == actor.organization_id]
    may_open = actor.role is Role.ADMIN or (actor.role is Role.COMMUNITY
                                            and owns_station(actor, project))
    if not may_open:
        raise Forbidden("Only the station's community and the administrator read the bids.")
    if not tender_closed(project, now):
        return []
    return [b for b in project.bids if b.status is not BidStatus.WITHDRAWN]
