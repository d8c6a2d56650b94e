"""An enterprise's impact, for its public summary page: what it gave and what that did.

Read from the subscriptions, matches and ledger, never stored. The rules:

- subscribed: every subscription it made, new money or moved credit alike;
- matched: the fund's matches of those subscriptions;
- paid to organizations: of each project's milestone tranches, the part in proportion to its
  share of the money collected into that project's escrow (matches count as the fund's share,
  not the enterprise's), floored to the fen;
- returned: what came back to it (released commitments, escrow refunds): its credit before
  it moved or withdrew any; ``credit`` is what is left of it now;
- projects by outcome: the projects it subscribed to, counted by their stage now;
- people served: the people reported on the accepted milestones (each milestone's latest
  report) of the projects its collected money went into.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AccountKind,
    Commitment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Match,
    Milestone,
    MilestoneStatus,
    Organization,
    ProgressReport,
    Project,
    Subscription,
)
from marketplace.services.subscription.credit import credit_fen


@dataclass(frozen=True)
class Impact:
    subscribed_fen: int
    matched_fen: int
    paid_fen: int
    returned_fen: int
    credit_fen: int
    outcomes: dict[State, int]
    people_served: int


def _escrow_flows(project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per project: (collected into escrow, paid out of it in tranches)."""
    rows = db.session.execute(
        db.select(LedgerAccount.project_id, LedgerEntry.amount_fen, LedgerTransaction.trigger)
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == AccountKind.ESCROW,
               LedgerAccount.project_id.in_(project_ids))).all()
    flows: dict[int, tuple[int, int]] = {}
    for project_id, amount, trigger in rows:
        came, paid = flows.get(project_id, (0, 0))
        if amount > 0:
            came += int(amount)
        elif trigger == "accept_milestone":
            paid -= int(amount)
        flows[project_id] = (came, paid)
    return flows


def impact(enterprise: Organization) -> Impact:
    subscriptions = db.session.execute(
        db.select(Subscription.project_id, Subscription.amount_fen, Subscription.status)
        .where(Subscription.enterprise_id == enterprise.id)).all()
    matched = db.session.execute(
        db.select(func.coalesce(func.sum(Match.amount_fen), 0))
        .join(Subscription, Subscription.id == Match.subscription_id)
        .where(Subscription.enterprise_id == enterprise.id)).scalar_one()
    collected: dict[int, int] = {}
    for project_id, amount, status in subscriptions:
        if status is Commitment.COLLECTED:
            collected[project_id] = collected.get(project_id, 0) + amount
    flows = _escrow_flows(list(collected))
    paid = sum(flows[p][1] * mine // flows[p][0]
               for p, mine in collected.items() if flows.get(p, (0, 0))[0])
    returned = db.session.execute(
        db.select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.organization_id == enterprise.id,
               LedgerAccount.kind == AccountKind.ENTERPRISE,
               LedgerEntry.amount_fen > 0)).scalar_one()
    project_ids = {project_id for project_id, _, _ in subscriptions}
    outcomes = dict(db.session.execute(
        db.select(Project.state, func.count(Project.id)).where(Project.id.in_(project_ids))
        .group_by(Project.state)).all()) if project_ids else {}
    return Impact(subscribed_fen=sum(amount for _, amount, _ in subscriptions),
                  matched_fen=int(matched), paid_fen=paid, returned_fen=int(returned),
                  credit_fen=credit_fen(enterprise.id),
                  outcomes={state: outcomes[state] for state in State if state in outcomes},
                  people_served=_people_served(list(collected)))


def _people_served(project_ids: list[int]) -> int:
    if not project_ids:
        return 0
    latest = (db.select(func.max(ProgressReport.id))
              .join(Milestone, ProgressReport.milestone_id == Milestone.id)
              .where(Milestone.status == MilestoneStatus.ACCEPTED,
                     Milestone.project_id.in_(project_ids))
              .group_by(ProgressReport.milestone_id))
    return int(db.session.execute(
        db.select(func.coalesce(func.sum(ProgressReport.people_served), 0))
        .where(ProgressReport.id.in_(latest))).scalar_one())
