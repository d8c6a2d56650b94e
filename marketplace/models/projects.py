"""A project is a bundle of catalog service items for one station, moved by the lifecycle."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import PanelTally, State, panel_tally
from marketplace.models.accounts import enum_column
from marketplace.models.catalog import BeneficiaryGroup, IndicatorSet, ServiceType
from marketplace.models.delivery import Milestone, ProgressReport
from marketplace.models.funding import Commitment, Subscription
from marketplace.models.stations import Station
from marketplace.models.tender import Award, Bid, BidStatus

if TYPE_CHECKING:
    from marketplace.models.complaints import Complaint
    from marketplace.models.enquiries import Question
    from marketplace.models.evaluation import Evaluation
    from marketplace.models.panels import PanelAssignment

DEFAULT_DELIVERY = timedelta(days=90)  # a bid without a milestone plan delivers in one step
DEFAULT_PRICE_WEIGHT = 30  # percent of a bid's score; the quality weight is the rest

project_groups = Table(
    "project_groups",
    db.metadata,
    Column("project_id", ForeignKey("projects.id"), primary_key=True),
    Column("group_code", ForeignKey("beneficiary_groups.code"), primary_key=True),
)


class Review(enum.StrEnum):
    """The administrator's review gate inside packaging."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    APPROVED = "approved"


class Commitments:
    """The effects a move has on the subscriptions: shared by the ORM project and the plain
    row the clock's set-based sweep moves (``scheduler/bulk``), so both change them alike."""

    def collect_commitments(self, now: datetime) -> int:
        """Take every commitment into escrow; returns the fen collected."""
        collected = 0
        for subscription in self.subscriptions:
            if subscription.status is Commitment.COMMITTED:
                subscription.status = Commitment.COLLECTED
                subscription.settled_at = now
                collected += subscription.amount_fen
        return collected

    def release_commitments(self, now: datetime) -> int:
        """Hand every live commitment back to its enterprise; returns the fen released."""
        released = 0
        for subscription in self.subscriptions:
            if subscription.is_live:
                subscription.status = Commitment.RELEASED
                subscription.settled_at = now
                released += subscription.amount_fen
        self.committed_fen -= released
        return released



class Project(Commitments, db.Model):
    __tablename__ = "projects"
    # The public listing, its page count and the headline figures (migration 0012_scaleout).
    __table_args__ = (
        Index("ix_projects_state_created_at", "state", "created_at"),
        Index("ix_projects_station_id_state", "station_id", "state"),
        Index("ix_projects_state_committed_fen", "state", "committed_fen"),
        CheckConstraint("price_weight_pct BETWEEN 0 AND 100 "
                        "AND price_weight_pct + quality_weight_pct = 100",
                        name="award_weights_sum_100"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    indicator_set_code: Mapped[str | None] = mapped_column(ForeignKey("indicator_sets.code"))

    state: Mapped[State] = mapped_column(enum_column(State), default=State.PACKAGING, index=True)
    review: Mapped[Review] = mapped_column(enum_column(Review), default=Review.DRAFT)
    review_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: two moves on the same row, one wins, the other gets a conflict.
    version: Mapped[int] = mapped_column(default=1)

    budget_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_target_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_minimum_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Sum of live commitments (committed or collected), kept under the project's row lock.
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    people_served: Mapped[int] = mapped_column(default=0)
    # The published award criteria (migration 0024_award_criteria): how bids are compared,
    # in percent summing to 100 (services/tendering/scoring.py). 30/70 by default: price
    # counts, but a charity service is bought for its quality first.
    price_weight_pct: Mapped[int] = mapped_column(default=DEFAULT_PRICE_WEIGHT,
                                                  server_default=str(DEFAULT_PRICE_WEIGHT))
    quality_weight_pct: Mapped[int] = mapped_column(default=100 - DEFAULT_PRICE_WEIGHT,
                                                    server_default=str(100 - DEFAULT_PRICE_WEIGHT))

    subscription_opens_at: Mapped[datetime | None]
    subscription_closes_at: Mapped[datetime | None]
    # Bidders may ask questions until the enquiry period ends, inside the tender.
    enquiry_closes_at: Mapped[datetime | None]
    tender_closes_at: Mapped[datetime | None]
    standstill_ends_at: Mapped[datetime | None]  # set by the award; the contract waits for it
    tender_reopened: Mapped[bool] = mapped_column(default=False)
    rectifications: Mapped[int] = mapped_column(default=0)
    # The panel's deadline for this round and when its reminder and overdue notice went out.
    evaluation_due_at: Mapped[datetime | None]
    evaluation_reminded_at: Mapped[datetime | None]
    evaluation_overdue_at: Mapped[datetime | None]
    # How many seated panel members must have scored before the panel decides; None: all of
    # them (set by the administrator, migration 0019_panel_quorum).
    panel_quorum: Mapped[int | None]
    # The cover picture the community uploaded (services/covers.py), stored like evidence
    # under a generated name; None: the drawn picture of the project's service area.
    cover_stored_name: Mapped[str | None] = mapped_column(String(64))
    cover_content_type: Mapped[str | None] = mapped_column(String(100))
    # The progress-report due time whose overdue notice went out: one notice per due time.
    progress_overdue_for: Mapped[datetime | None]
    # When the scheduler next has something to decide for this project (indexed for the sweep).
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # listing order
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}

    station: Mapped[Station] = relationship()
    indicator_set: Mapped[IndicatorSet | None] = relationship()
    items: Mapped[list[BundleItem]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="BundleItem.id"
    )
    groups: Mapped[list[BeneficiaryGroup]] = relationship(secondary=project_groups)
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="project", order_by="Subscription.id"
    )
    bids: Mapped[list[Bid]] = relationship(back_populates="project", order_by="Bid.id")
    award: Mapped[Award | None] = relationship(back_populates="project", uselist=False)
    complaints: Mapped[list[Complaint]] = relationship(
        back_populates="project", order_by="Complaint.id"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.sequence"
    )
    progress_reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="project", order_by="ProgressReport.id"
    )
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="project", order_by="Evaluation.id"
    )
    panel: Mapped[list[PanelAssignment]] = relationship(
        back_populates="project", order_by="PanelAssignment.id"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="project", order_by="Question.id"
    )

    @property
    def items_total_fen(self) -> int:
        return sum(item.total_fen for item in self.items)

    @property
    def remaining_fen(self) -> int:
        """What may still be subscribed before the target is reached."""
        return max(self.funding_target_fen - self.committed_fen, 0)


    def counted_evaluations(self) -> list[Evaluation]:
        """The current round's submitted sheets, leaving out panel members who were recused."""
        recused = {member.evaluator_id for member in self.panel if member.is_recused}
        return [
            e for e in self.evaluations
            if e.round == self.rectifications + 1 and e.total_score is not None
            and e.evaluator_id not in recused
        ]

    @property
    def panel_tally(self) -> PanelTally:
        return panel_tally(self)

    def evaluation_score(self) -> Decimal | None:
        """Mean total of the counted sheets (each already weighted to 100), or None until the
        panel has decided: one sheet of three is no score at all, for the lifecycle or an award."""
        if not self.panel_tally.decided:
            return None
        scores = [e.total_score for e in self.counted_evaluations()]
        return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))

    # Effects the lifecycle calls: how the bundle changes itself when a move is made.

    def award_to(self, bid_id: int, now: datetime) -> Award:
        """Award the bid provisionally; the contract waits for the standstill to pass."""
        winner = next(bid for bid in self.bids if bid.id == bid_id)
        for bid in self.bids:
            if bid.status is BidStatus.SUBMITTED:
                bid.status = BidStatus.AWARDED if bid is winner else BidStatus.LOST
        if self.award is None:
            self.award = Award(bid=winner, organization_id=winner.organization_id,
                               amount_fen=winner.price_fen, awarded_at=now)
        else:  # a re-award after an upheld complaint: the one award row changes hands
            self.award.bid = winner
            self.award.organization_id = winner.organization_id
            self.award.amount_fen = winner.price_fen
            self.award.awarded_at = now
        return self.award

    def start_contract(self, now: datetime) -> Award:
        """Sign the contract with the award that stood, and lay out its milestones: the plan
        the community packaged with the bundle, or else the winning bid's."""
        award = self.award
        award.contract_started_at = now
        plan = [] if self.milestones else award.bid.milestone_plan or [
            {"title": "Delivery", "due": (now.date() + DEFAULT_DELIVERY).isoformat(),
             "share_pct": 100}
        ]
        for step in plan:
            self.add_milestone(step["title"], date.fromisoformat(step["due"]),
                               int(step.get("share_pct", 0)))
        return award

    def add_milestone(self, title: str, due_on: date, share_pct: int = 0) -> Milestone:
        milestone = Milestone(sequence=len(self.milestones) + 1, title=title, due_on=due_on,
                              share_pct=share_pct)
        self.milestones.append(milestone)
        return milestone

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.state}>"


class BundleItem(db.Model):
    """One catalog service in a bundle, with the community's quantity and unit cost."""

    __tablename__ = "bundle_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service_types.code"))
    quantity: Mapped[int]
    unit_cost_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="items")
    service: Mapped[ServiceType] = relationship()

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_cost_fen
