"""What an account may see of a project and of its parts: the one answer every page, API route,
event list, OCDS release, export and notification asks (issue 12).

The rules, by part:
- the project: a bundle still in packaging (a draft, submitted for review or sent back) is seen
  only by its station's community and the administrator; every later state is public. What may
  not be seen does not exist for the caller: 404, never 403, so a draft's id does not leak;
- bids: a social organization reads its own; nobody reads another's before the tender closes;
  afterwards the station's community and the administrator read the ones not withdrawn;
- the panel's sheets (each evaluator's scores): public once the project is closed out or
  terminated, never while the evaluation runs;
- bid documents: the bidding organization's always; once the tender has closed, those of a
  bid not withdrawn also to the station's community, the administrator and the seated panel.
  Never public, not even after the award (they hold people's names, certificates and phone
  numbers: the award itself, its organization and price, is what the public reads);
- evidence files: before their milestone is accepted only the community, the reporting (or
  awarded) organization, the panel and the administrator; afterwards everyone;
- questions: answers are public, an open question only to the community, the administrator and
  the organization that asked; who asked is never public;
- audit events: the page's public record withholds who bid or scored while the tender or the
  scoring round is sealed, and who asked a question always. Outside the administrator, the
  events API withholds the same: the actor, and the details that would say the same thing
  (an evaluator's own total score).

``None`` as the account is a visitor; an anonymous Flask-Login user counts as one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, true

from marketplace.lifecycle import State, past
from marketplace.models import (
    Account,
    AuditEvent,
    Bid,
    BidDocument,
    BidStatus,
    Evidence,
    Milestone,
    MilestoneStatus,
    Project,
    Question,
    Role,
    Station,
    Subscription,
)
from marketplace.services.core.access import member, owns_station
from marketplace.services.core.errors import Forbidden, NotFound

PRIVATE_STATES = frozenset({State.PACKAGING})
PUBLIC_STATES = tuple(s for s in State if s not in PRIVATE_STATES)
# The states in which each evaluator's sheet is public; before, only the panel's result is.
SHEETS_PUBLIC_IN = frozenset({State.COMPLETED, State.TERMINATED})
# trigger → the project states in which its actor is withheld from everyone but the admin
SEALED_WHILE: dict[str, frozenset[State]] = {
    "bid": frozenset({State.TENDERING}),
    "withdraw_bid": frozenset({State.TENDERING}),
    "evaluate": frozenset({State.EVALUATION}),
    "recuse": frozenset({State.IMPLEMENTATION, State.EVALUATION}),
    "ask_question": frozenset(State),  # answers are public, who asked never is
}
# details of a sealed event that would name or score what the seal hides
SEALED_DETAILS = frozenset({"total_score"})


def _signed_in(account: Account | None) -> Account | None:
    """A Flask-Login anonymous user is a visitor."""
    if account is None or not getattr(account, "is_authenticated", True):
        return None
    return account


def is_admin(account: Account | None) -> bool:
    account = _signed_in(account)
    return account is not None and account.role is Role.ADMIN


def is_own_community(account: Account | None, project: Project) -> bool:
    account = _signed_in(account)
    return account is not None and account.role is Role.COMMUNITY \
        and owns_station(account, project)


# --- the project ------------------------------------------------------------------------------


def visible_clause(account: Account | None) -> ColumnElement[bool]:
    """The projects the account may see, as a WHERE clause for listings and exports."""
    account = _signed_in(account)
    public = Project.state.in_(PUBLIC_STATES)
    if account is None:
        return public
    if account.role is Role.ADMIN:
        return true()
    if account.role is Role.COMMUNITY:
        return or_(public, Project.station.has(Station.community_id == account.organization_id))
    return public


def may_see(project: Project, account: Account | None) -> bool:
    """The same rule as ``visible_clause``, for one row already loaded."""
    if project.state not in PRIVATE_STATES:
        return True
    return is_admin(account) or is_own_community(account, project)


def may_see_subscription(subscription: Subscription, account: Account | None) -> bool:
    """A subscription (and its receipt) is the subscribing enterprise's and the
    administrator's; to anyone else it does not exist."""
    account = _signed_in(account)
    if account is None:
        return False
    return is_admin(account) or (account.role is Role.ENTERPRISE
                                 and account.organization_id == subscription.enterprise_id)


def check_visible(project: Project, account: Account | None) -> Project:
    """A project the caller may not see does not exist as far as the caller knows."""
    if not may_see(project, account):
        raise NotFound("No project %(id)s.", id=project.id)
    return project


def on_panel(project: Project, account: Account | None) -> bool:
    """An evaluator appointed to the project's panel who has not recused."""
    account = _signed_in(account)
    seat = member(project, account) if account is not None else None
    return seat is not None and not seat.is_recused


# --- bids -------------------------------------------------------------------------------------


def tender_closed(project: Project, now: datetime) -> bool:
    """The bids are opened once the tender's deadline has come."""
    return past(project.tender_closes_at, now)


def visible_bids(project: Project, actor: Account, now: datetime) -> list[Bid]:
    """A social organization always sees its own bids; nobody sees another's before the tender
    closes; afterwards the station's community and the administrator see them all, except the
    withdrawn ones (taken back or replaced), which are never opened."""
    if actor.role is Role.SOCIAL_ORG:
        return [b for b in project.bids if b.organization_id == actor.organization_id]
    if not (is_admin(actor) or is_own_community(actor, project)):
        raise Forbidden("Only the station's community and the administrator read the bids.")
    if not tender_closed(project, now):
        return []
    return [b for b in project.bids if b.status is not BidStatus.WITHDRAWN]


def may_see_bid_document(document: BidDocument, account: Account | None,
                         now: datetime) -> bool:
    """The bidder always; after the close (or once the project is past its tender), for a bid
    not withdrawn, the station's community, the administrator and the panel's seated
    evaluators; nobody else, ever."""
    account = _signed_in(account)
    if account is None:
        return False
    bid, project = document.bid, document.bid.project
    if account.role is Role.SOCIAL_ORG:
        return account.organization_id == bid.organization_id
    opened = project.state is not State.TENDERING or tender_closed(project, now)
    if bid.status is BidStatus.WITHDRAWN or not opened:
        return False
    return is_admin(account) or is_own_community(account, project) or (
        account.role is Role.EVALUATOR and on_panel(project, account))


# --- the panel's sheets -----------------------------------------------------------------------


def scoring_sealed(project: Project) -> bool:
    """While the panel scores, no score of the round is public, not even the running mean."""
    return project.state is State.EVALUATION


def sheets_public(project: Project) -> bool:
    """Each evaluator's sheet is published with the close-out, not while others still score."""
    return project.state in SHEETS_PUBLIC_IN


# --- evidence files ---------------------------------------------------------------------------


def evidence_public(evidence: Evidence) -> bool:
    milestone = evidence.report.milestone
    return milestone is not None and milestone.status is MilestoneStatus.ACCEPTED


def public_evidence_clause() -> ColumnElement[bool]:
    """``evidence_public`` as a WHERE clause on a query joined to the report's milestone (the
    public page's gallery): the reports, and their files, of accepted milestones."""
    return Milestone.status == MilestoneStatus.ACCEPTED


def may_see_evidence(evidence: Evidence, account: Account | None) -> bool:
    """Everyone once the milestone is accepted; before, the community, the organization that
    reported (or was awarded), the panel and the administrator."""
    project: Project = evidence.report.project
    if not may_see(project, account):
        return False
    if evidence_public(evidence):
        return True
    account = _signed_in(account)
    if account is None:
        return False
    if is_admin(account) or is_own_community(account, project):
        return True
    if account.role is Role.SOCIAL_ORG:
        award = project.award
        return account.organization_id is not None and (
            (award is not None and award.organization_id == account.organization_id)
            or evidence.uploaded_by.organization_id == account.organization_id)
    return account.role is Role.EVALUATOR and on_panel(project, account)


# --- questions --------------------------------------------------------------------------------


def may_read_question(question: Question, project: Project, account: Account | None) -> bool:
    """Answers are public; an open question only to the community, the admin and its asker."""
    if question.is_answered:
        return True
    account = _signed_in(account)
    return account is not None and (is_admin(account) or is_own_community(account, project)
                                    or question.organization_id == account.organization_id)


# --- audit events -----------------------------------------------------------------------------


def withheld(event: AuditEvent, project: Project | None) -> bool:
    """Whether the event's actor is sealed from the public in the project's present state."""
    return project is not None and project.state in SEALED_WHILE.get(event.trigger, ())


def event_details(event: AuditEvent, project: Project | None,
                  account: Account | None) -> dict[str, Any]:
    """The event's details as this account may read them: a sealed event loses what would
    name or score what the seal hides (the administrator reads everything)."""
    details = dict(event.details or {})
    if is_admin(account) or not withheld(event, project):
        return details
    return {key: value for key, value in details.items() if key not in SEALED_DETAILS}
