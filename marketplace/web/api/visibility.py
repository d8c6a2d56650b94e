"""Which projects a caller may see: everything past packaging, plus bundles still being packaged
by the caller's own community (and, for review, by any community if the caller is admin)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from marketplace.lifecycle import State
from marketplace.models import Account, Project, Role, Station
from marketplace.services.access import owns_station
from marketplace.services.errors import NotFound


def visible_clause(account: Account | None) -> Any:
    public = Project.state != State.PACKAGING
    if account is None:
        return public
    if account.role is Role.ADMIN:
        return Project.id.isnot(None)
    if account.role is Role.COMMUNITY:
        return or_(public, Project.station.has(Station.community_id == account.organization_id))
    return public


def may_see(project: Project, account: Account | None) -> bool:
    if project.state is not State.PACKAGING:
        return True
    if account is None:
        return False
    return account.role is Role.ADMIN or (account.role is Role.COMMUNITY
                                          and owns_station(account, project))


def check_visible(project: Project, account: Account | None) -> Project:
    """A bundle the caller may not see does not exist as far as the caller knows."""
    if not may_see(project, account):
        raise NotFound("No project %(id)s.", id=project.id)
    return project
