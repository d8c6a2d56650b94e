"""Who may do what: roles, approval and ownership, checked by every service."""

from __future__ import annotations

from marketplace.models import Account, Project, Role
from marketplace.services.errors import Forbidden

# Which role may fire each lifecycle move by hand (the clock fires the timed ones itself).
MOVERS: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.COMMUNITY}),
    "reject": frozenset({Role.ADMIN}),
    "publish": frozenset({Role.ADMIN}),
    "open_subscription": frozenset({Role.ADMIN}),
    "close_subscription": frozenset({Role.ADMIN}),
    "fail_funding": frozenset({Role.ADMIN}),
    "award": frozenset({Role.COMMUNITY}),
    "start_contract": frozenset({Role.ADMIN}),  # the clock's move; by hand if it was down
    "reopen_tender": frozenset({Role.COMMUNITY}),
    "abandon_tender": frozenset({Role.COMMUNITY, Role.ADMIN}),
    "submit_for_evaluation": frozenset({Role.COMMUNITY}),
    "close_out": frozenset({Role.EVALUATOR, Role.ADMIN}),
    "return_for_rectification": frozenset({Role.EVALUATOR, Role.ADMIN}),
    "terminate": frozenset({Role.EVALUATOR, Role.ADMIN}),
    "cancel": frozenset({Role.COMMUNITY, Role.ADMIN}),
}


def require(actor: Account, *roles: Role) -> None:
    """The actor has one of the roles and its organization is approved."""
    if actor.role not in roles:
        raise Forbidden("This needs the role %(roles)s.", roles=", ".join(roles))
    if not actor.organization.is_approved:
        raise Forbidden("Your organization has not been approved yet.")


def owns_station(actor: Account, project: Project) -> bool:
    return project.station.community_id == actor.organization_id


def may_move(actor: Account, project: Project, trigger: str) -> None:
    """Raise Forbidden unless the actor may fire this move on this project."""
    require(actor, *MOVERS.get(trigger, frozenset({Role.ADMIN})))
    if actor.role is Role.COMMUNITY and not owns_station(actor, project):
        raise Forbidden("Only the station's own community may do this.")
