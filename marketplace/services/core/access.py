"""Who may do what: roles, approval and ownership, checked by every service.

Which parties may fire each lifecycle move is the lifecycle table's (``Rule.by``); this module
says which parties an account is for one project.
"""

from __future__ import annotations

from marketplace import lifecycle
from marketplace.lifecycle import Party
from marketplace.models import Account, PanelAssignment, Project, Role
from marketplace.services.core.errors import Forbidden

# What a refused account is told, by the first party the move is for.
REFUSALS: dict[Party, str] = {
    Party.COMMUNITY: "Only the station's own community may do this.",
    Party.SUPPLIER: "Only the organization the project was awarded to may do this.",
    Party.PANEL: "Only a seated member of the project's evaluation panel or the administrator "
                 "may do this.",
    Party.ADMIN: "Only the administrator may do this.",
    Party.CLOCK: "The platform makes this move itself when its time comes.",
}


def require(actor: Account, *roles: Role) -> None:
    """The actor has one of the roles and its organization is approved."""
    if actor.role not in roles:
        raise Forbidden("This needs the role %(roles)s.", roles=", ".join(roles))
    if not actor.organization.is_approved:
        raise Forbidden("Your organization has not been approved yet.")


def owns_station(actor: Account, project: Project) -> bool:
    return project.station.community_id == actor.organization_id


def active_members(project: Project) -> list[PanelAssignment]:
    return [member for member in project.panel if not member.is_recused]


def member(project: Project, account: Account) -> PanelAssignment | None:
    return next((m for m in project.panel if m.evaluator_id == account.id), None)


def parties(actor: Account, project: Project) -> frozenset[Party]:
    """How the account stands towards the project; none unless its organization is approved."""
    if not actor.organization.is_approved:
        return frozenset()
    if actor.role is Role.ADMIN:
        return frozenset({Party.ADMIN})
    if actor.role is Role.COMMUNITY and owns_station(actor, project):
        return frozenset({Party.COMMUNITY})
    if actor.role is Role.SOCIAL_ORG and project.award is not None \
            and project.award.organization_id == actor.organization_id:
        return frozenset({Party.SUPPLIER})
    if actor.role is Role.EVALUATOR:
        seat = member(project, actor)
        if seat is not None and not seat.is_recused:
            return frozenset({Party.PANEL})
    return frozenset()


def may_move(actor: Account, project: Project, trigger: str) -> frozenset[Party]:
    """The parties the actor fires this move as; Forbidden unless the table lets one of them."""
    allowed = lifecycle.movers(trigger)
    if not actor.organization.is_approved:
        raise Forbidden("Your organization has not been approved yet.")
    by = parties(actor, project)
    if allowed.isdisjoint(by):
        raise Forbidden(REFUSALS[min(allowed, key=list(Party).index)])
    return by
