"""How the opened bids are compared: each one's score against the bundle's published award
criteria (its price and quality weights, percent summing to 100, set when packaging).

The score is out of 100, the sum of two parts, each rounded half up to two places:

- **price**: the lowest valid price ÷ this bid's price × the price weight. The cheapest valid
  bid gets the whole price weight, one twice as dear gets half (the "lowest price as the
  benchmark" method of comprehensive scoring, 综合评分法 低价优先法).
- **quality**: the organization's track record ÷ 100 × the quality weight. The track record is
  what exists and was judged by someone else than the bidder: the mean panel score (out of 100)
  of the projects awarded to the organization on which a panel has decided (completed or
  terminated). An organization with no such project yet is counted at the pass mark
  (``EVALUATION_PASS_MARK``): a newcomer is treated as one that delivered acceptably, neither
  shut out of the tender nor ahead of proven work.

Only valid bids are scored (standing, at most the budget; ``Bid.is_valid``). The score helps the
community choose; the award stays its decision (the lifecycle's ``award`` move), so a bid
that does not rank first may still be awarded. When a complaint against the award is upheld,
the award passes to the best-ranked bid that lost (``next_best``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Award, Bid, BidStatus, Project
from marketplace.models.tender import within_budget

TWO_PLACES = Decimal("0.01")
DECIDED = (State.COMPLETED, State.TERMINATED)  # a panel has scored the delivery
UNDER_CONTRACT = (State.IMPLEMENTATION, State.EVALUATION)


@dataclass(frozen=True)
class Experience:
    """An organization's record here: contracts the panel has judged, their mean score, and
    contracts still running."""

    decided: int = 0
    mean_score: Decimal | None = None
    running: int = 0


@dataclass(frozen=True)
class BidScore:
    bid: Bid
    experience: Experience
    price_score: Decimal
    quality_score: Decimal

    @property
    def total(self) -> Decimal:
        return self.price_score + self.quality_score


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def price_score(price_fen: int, lowest_fen: int, weight_pct: int) -> Decimal:
    """The lowest valid price ÷ this price × the price weight."""
    return _round(Decimal(lowest_fen) / Decimal(price_fen) * weight_pct)


def quality_score(experience: Experience, weight_pct: int, pass_mark: int) -> Decimal:
    """The track record (mean panel score, or the pass mark without one) ÷ 100 × the weight."""
    record = experience.mean_score if experience.mean_score is not None else Decimal(pass_mark)
    return _round(record / 100 * weight_pct)


def experience_of(organization_ids: Iterable[int]) -> dict[int, Experience]:
    """Each organization's record, from the projects awarded to it."""
    ids = set(organization_ids)
    if not ids:
        return {}
    projects = db.session.execute(
        db.select(Award.organization_id, Project).join(Project, Award.project_id == Project.id)
        .where(Award.organization_id.in_(ids),
               Project.state.in_((*DECIDED, *UNDER_CONTRACT)))
        .options(selectinload(Project.panel), selectinload(Project.evaluations))).all()
    scores: dict[int, list[Decimal]] = {}
    running: dict[int, int] = {}
    for organization_id, project in projects:
        if project.state in UNDER_CONTRACT:
            running[organization_id] = running.get(organization_id, 0) + 1
        elif (score := project.evaluation_score()) is not None:
            scores.setdefault(organization_id, []).append(score)
    return {org: Experience(
        decided=len(scores.get(org, [])),
        mean_score=_round(sum(scores[org], Decimal(0)) / len(scores[org]))
        if scores.get(org) else None,
        running=running.get(org, 0)) for org in ids}


def ranked(project: Project, bids: Iterable[Bid]) -> list[BidScore]:
    """The given bids scored against each other (the lowest of their prices is the price
    benchmark), best first: highest total, then lowest price, then the earliest."""
    bids = list(bids)
    if not bids:
        return []
    # what the table shows of each bid, in one query each rather than one per bid
    db.session.execute(db.select(Bid).where(Bid.id.in_([bid.id for bid in bids]))
                       .options(selectinload(Bid.organization), selectinload(Bid.documents))
                       ).scalars().all()
    lowest = min(bid.price_fen for bid in bids)
    pass_mark = int(current_app.config["EVALUATION_PASS_MARK"])
    records = experience_of(bid.organization_id for bid in bids)
    scored = [BidScore(bid, records[bid.organization_id],
                       price_score(bid.price_fen, lowest, project.price_weight_pct),
                       quality_score(records[bid.organization_id], project.quality_weight_pct,
                                     pass_mark))
              for bid in bids]
    scored.sort(key=lambda s: (-s.total, s.bid.price_fen, s.bid.submitted_at, s.bid.id))
    return scored


def compare(project: Project, bids: Iterable[Bid] | None = None) -> list[BidScore]:
    """The valid bids of the project (or of those given), scored, best first: the
    community's table of the opened bids."""
    return ranked(project, [bid for bid in (project.bids if bids is None else bids)
                            if bid.is_valid])


OPENED = (BidStatus.AWARDED, BidStatus.LOST, BidStatus.REJECTED)  # after the award


def next_best(project: Project) -> Bid | None:
    """Who takes the award when a complaint against it is upheld: the best-scored bid that
    lost, ranked as the community's table ranked them (every bid opened within the budget,
    so the price benchmark stays the one the community saw)."""
    opened = [bid for bid in project.bids
              if bid.status in OPENED and within_budget(bid.price_fen, project)]
    return next((s.bid for s in ranked(project, opened) if s.bid.status is BidStatus.LOST),
                None)
