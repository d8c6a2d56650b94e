"""Where the lifecycle's money goes: commitments, escrow, tranches and refunds on the ledger.

The lifecycle and the models only change statuses; this module posts the matching ledger
transactions inside the same unit of work. ``settle`` is the one place that reads what a move
did to the subscriptions and the project, and moves the money to match:

- subscribing: the enterprise → the project's commitments account;
- collecting (subscription → tendering): commitments → the project's escrow;
- releasing (unfunded, cancelled): commitments or escrow → back to each enterprise's balance,
  where it stands as the enterprise's credit;
- a milestone accepted: escrow → the awarded social organization (``pay_tranche``);
- a match (``services/matching``) moves exactly like the subscription it matched, its money
  going back to the fund source that paid it;
- termination or close-out: what remains in escrow → the subscribers, pro rata (``pro_rata``),
  so no fen is left stranded in a finished project's escrow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Commitment,
    Match,
    MatchOffer,
    Milestone,
    MilestoneStatus,
    Project,
    Subscription,
)
from marketplace.models.ledger import LedgerAccount
from marketplace.services.core.unit import remembered
from marketplace.services.finance.ledger import (
    Cause,
    balance,
    commitments_account,
    escrow_account,
    fund_account,
    organization_account,
    organization_account_code,
    post,
    project_account_codes,
    remember_accounts,
)

Snapshot = dict[int, Commitment]
# Ends after delivery: whatever the tranches did not use goes back to whoever paid it in.
FINISHED = frozenset({State.TERMINATED, State.COMPLETED})


def pro_rata(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_fen`` in proportion to ``weights``, to the fen, summing exactly to it.

    Largest-remainder rule: everyone first gets the floor of their exact share; the fen left
    over go one each to the largest fractional remainders, ties to the earlier weight (the
    earlier subscription).
    """
    whole = sum(weights)
    if total_fen < 0 or any(w < 0 for w in weights) or (total_fen and not whole):
        raise ValueError("pro_rata needs a non-negative total and weights that are not all 0")
    if not total_fen:
        return [0] * len(weights)
    shares = [total_fen * w // whole for w in weights]
    remainders = [total_fen * w % whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total_fen - sum(shares)]:
        shares[i] += 1
    return shares


def commit(subscription: Subscription, *, now: datetime) -> None:
    """The enterprise's commitment is held for the project until collection or release."""
    project = subscription.project
    post(f"Commitment to {project.title}",
         [(organization_account(subscription.enterprise), -subscription.amount_fen),
          (commitments_account(project), subscription.amount_fen)],
         Cause("subscribe", project.id, subscription.id), now=now)


def matches_of(project: Project) -> dict[int, Match]:
    """The fund's matches on the project, by the subscription each one matched."""
    known = remembered("matches").get(project.id)
    if known is not None:
        return known
    return {m.subscription_id: m for m in db.session.execute(
        db.select(Match).where(Match.project_id == project.id)).scalars()}


def prepare(projects: Sequence[Project]) -> None:
    """Read in three queries what settling moves of these projects will read one by one.

    For the clock's sweep, which moves a batch of locked projects in one unit of work: their
    fund matches, and their and their subscribers' ledger accounts with the balances, are then
    remembered until the unit of work ends (``services.core.unit``). Nothing in the sweep adds a
    match, so the remembered matches stay true for it.
    """
    ids = [project.id for project in projects]
    matches: dict[int, dict[int, Match]] = {project_id: {} for project_id in ids}
    for match in db.session.execute(db.select(Match).where(Match.project_id.in_(ids))
                                    .options(selectinload(Match.offer))).scalars():
        matches[match.project_id][match.subscription_id] = match
    remembered("matches").update(matches)
    remember_accounts([
        *(code for project_id in ids for code in project_account_codes(project_id)),
        *{organization_account_code(s.enterprise_id)
          for project in projects for s in project.subscriptions},
    ])


class MatchLike(Protocol):
    """What a settlement reads of a fund match: the ORM row or the sweep's plain row."""

    offer_id: int
    amount_fen: int

    @property
    def source_code(self) -> str: ...


@dataclass
class Settlement:
    """The money a move implies, by account code, before any ledger row exists.

    ``postings`` are (reason, lines) in the order they are posted; ``offer_returns`` is what
    each match offer's budget gets back. One plan, two writers: ``settle`` posts it through
    the ORM, the clock's set-based sweep (``scheduler/bulk``) writes it as rows.
    """

    postings: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    offer_returns: dict[int, int] = field(default_factory=dict)


def snapshot(project: Any) -> Snapshot:
    """The subscriptions' statuses before a move, for ``plan`` to compare with after."""
    return {s.id: s.status for s in project.subscriptions}


def plan(project: Any, before: Snapshot, matches: Mapping[int, MatchLike]) -> Settlement:
    """What collecting and releasing the subscriptions a move changed posts.

    Releasing a matched subscription sends the match home to its fund source and takes it
    off the project's ``committed_fen``.
    """
    commitments, escrow = project_account_codes(project.id)
    settlement = Settlement()
    collected = [s for s in project.subscriptions
                 if before.get(s.id) is Commitment.COMMITTED and s.status is Commitment.COLLECTED]
    if collected:
        total = sum(s.amount_fen + (matches[s.id].amount_fen if s.id in matches else 0)
                    for s in collected)
        settlement.postings.append((f"Commitments collected into the escrow of {project.title}",
                                    [(commitments, -total), (escrow, total)]))
    released = [s for s in project.subscriptions
                if before.get(s.id) in (Commitment.COMMITTED, Commitment.COLLECTED)
                and s.status is Commitment.RELEASED]
    if released:
        lines = []
        for s in released:
            held = commitments if before[s.id] is Commitment.COMMITTED else escrow
            lines += [(held, -s.amount_fen),
                      (organization_account_code(s.enterprise_id), s.amount_fen)]
            if s.id in matches:  # the fund's match goes home too, and frees its budget
                given = matches[s.id]
                lines += [(held, -given.amount_fen), (given.source_code, given.amount_fen)]
                returns = settlement.offer_returns
                returns[given.offer_id] = returns.get(given.offer_id, 0) + given.amount_fen
                project.committed_fen -= given.amount_fen
        settlement.postings.append(
            (f"Commitments to {project.title} released to the enterprises' credit", lines))
    return settlement


def _accounts_of(project: Project) -> Callable[[str], LedgerAccount]:
    """The ledger account behind each code a settlement of this project names."""
    commitments, escrow = project_account_codes(project.id)
    enterprises = {organization_account_code(s.enterprise_id): s.enterprise
                   for s in project.subscriptions}

    def account(code: str) -> LedgerAccount:
        if code == commitments:
            return commitments_account(project)
        if code == escrow:
            return escrow_account(project)
        if code in enterprises:
            return organization_account(enterprises[code])
        return fund_account(code)

    return account


def settle(project: Project, settlement: Settlement, before_state: State, trigger: str, *,
           now: datetime) -> None:
    """Post through the ORM the money a lifecycle move implies (its ``plan``)."""
    for offer_id, fen in settlement.offer_returns.items():
        # in SQL, not on the loaded row: other projects' subscribers lock the offer; and
        # without flushing the move half-made, which would bump the project's version twice
        db.session.connection().execute(db.update(MatchOffer).where(MatchOffer.id == offer_id)
                                        .values(matched_fen=MatchOffer.matched_fen - fen))
    account = _accounts_of(project)
    for reason, lines in settlement.postings:
        post(reason, [(account(code), fen) for code, fen in lines], Cause(trigger, project.id),
             now=now, flush=False)
    if project.state in FINISHED and before_state not in FINISHED:
        refund_escrow(project, trigger, now=now)


def refund_escrow(project: Project, trigger: str, *, now: datetime) -> int:
    """Return what remains in escrow to whoever paid it in, pro rata to what each paid.

    The payers are the collected subscriptions and the fund's matches of them, in the order
    the subscriptions were made, each match right after its subscription.
    """
    escrow = escrow_account(project)
    remaining = balance(escrow)
    matches = matches_of(project)
    payers: list[tuple[LedgerAccount, int]] = []
    for s in project.subscriptions:
        if s.status is Commitment.COLLECTED:
            payers.append((organization_account(s.enterprise), s.amount_fen))
            if s.id in matches:
                payers.append((fund_account(matches[s.id].offer.source_code),
                               matches[s.id].amount_fen))
    if not remaining or not payers:
        return 0
    shares = pro_rata(remaining, [weight for _, weight in payers])
    lines = [(escrow, -remaining)]
    lines += [(account, share) for (account, _), share in zip(payers, shares, strict=True)]
    post(f"Escrow of {project.title} returned to its subscribers", lines,
         Cause(trigger, project.id), now=now, flush=False)
    return remaining


def tranche_fen(project: Project, milestone: Milestone) -> int:
    """The milestone's tranche of the award amount.

    Rounding rule: the amount due after each accepted milestone is the floor of the award times
    the accepted shares' running total (capped at 100%); a tranche is the increase. So the
    tranches of shares summing to 100% add up exactly to the award amount.
    """
    award = project.award.amount_fen
    accepted = [m for m in project.milestones
                if m.status is MilestoneStatus.ACCEPTED and m.id != milestone.id]
    before = min(sum(m.share_pct for m in accepted), 100)
    after = min(before + milestone.share_pct, 100)
    return award * after // 100 - award * before // 100


def pay_tranche(project: Project, milestone: Milestone, *, now: datetime) -> int:
    """Pay the accepted milestone's tranche from escrow to the awarded organization.

    Escrow holds what was collected, which may be less than the award when the project was
    funded between its minimum and its target; the tranche is then capped at what is left.
    """
    escrow = escrow_account(project)
    amount = min(tranche_fen(project, milestone), balance(escrow))
    if amount > 0:
        post(f"Tranche for milestone {milestone.sequence} of {project.title}",
             [(escrow, -amount), (organization_account(project.award.organization), amount)],
             Cause("accept_milestone", project.id, milestone_id=milestone.id), now=now)
    return amount
