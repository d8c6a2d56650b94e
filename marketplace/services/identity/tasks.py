"""What waits for an account: the to-do list of its signed-in home page and the header's count.

Each kind of task is one query (``KINDS``): the page lists its rows, the header counts them,
all kinds and the unread notifications in one statement (``counts``), so the number in the
header is the length of the list by construction. Which rows wait is read from the same
columns the rules check (a tender past its deadline and not awarded, a milestone reported and
not reviewed, a sheet not yet in for the round…); what the form then allows stays the
lifecycle's and the services' to say. An organization not yet approved has nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, exists, func, or_, select

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.lifecycle import PanelTally, State
from marketplace.models import (
    Account,
    AuditEvent,
    Award,
    Bid,
    BidStatus,
    Complaint,
    ComplaintStatus,
    Evaluation,
    Milestone,
    MilestoneStatus,
    NamingRight,
    NamingStatus,
    Notification,
    Organization,
    OrgStatus,
    PanelAssignment,
    ProgressReport,
    Project,
    Question,
    ReportSchedule,
    Review,
    Role,
    Station,
    StationStatus,
    Subscription,
)
from marketplace.services.subscription.credit import credit_query

RECTIFICATION = "Rectification"  # the milestone's title the lifecycle adds on a failed score
NEWS_DAYS, NEWS_LIMIT, RECEIPTS_LIMIT = 30, 5, 5


@dataclass(frozen=True)
class Task:
    """One thing to do: its kind (the page's label), what it is about, where its form is."""

    kind: str
    subject: str
    endpoint: str
    args: dict[str, Any]
    anchor: str | None = None
    due: date | datetime | None = None
    overdue: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    key: str
    role: Role
    rows: Callable[[Account, datetime], Select[Any]]
    task: Callable[[Any, datetime], Task]


# --- the queries, by role ---------------------------------------------------------------------


def _own(account: Account) -> Any:
    return Project.station_id.in_(
        select(Station.id).where(Station.community_id == account.organization_id))


def _awarded_to(account: Account) -> Any:
    return Project.award.has(Award.organization_id == account.organization_id)


def _bundles(review: Review) -> Callable[[Account, datetime], Select[Any]]:
    def rows(account: Account, now: datetime) -> Select[Any]:
        return select(Project).where(_own(account), Project.state == State.PACKAGING,
                                     Project.review == review).order_by(Project.id)
    return rows


def _tenders_closed(account: Account, now: datetime) -> Select[Any]:
    return select(Project).where(_own(account), Project.state == State.TENDERING,
                                 Project.tender_closes_at <= now, ~Project.award.has(),
                                 exists().where(Bid.project_id == Project.id,
                                                Bid.valid_clause(Project.budget_fen))
                                 ).order_by(Project.tender_closes_at, Project.id)


def _milestones_reported(account: Account, now: datetime) -> Select[Any]:
    return select(Milestone).join(Project).where(
        _own(account), Project.state == State.IMPLEMENTATION,
        Milestone.status == MilestoneStatus.REPORTED).order_by(Milestone.due_on, Milestone.id)


def _questions_open(account: Account, now: datetime) -> Select[Any]:
    return select(Question).join(Project).where(
        _own(account), Project.state == State.TENDERING, Question.answer.is_(None)
    ).order_by(Question.asked_at, Question.id)


def _namings_open(account: Account, now: datetime) -> Select[Any]:
    return select(Station).where(
        Station.community_id == account.organization_id,
        exists().where(NamingRight.station_id == Station.id,
                       NamingRight.status == NamingStatus.APPLIED)).order_by(Station.id)


def _ready_for_evaluation(account: Account, now: datetime) -> Select[Any]:
    return select(Project).where(
        _own(account), Project.state == State.IMPLEMENTATION,
        exists().where(Milestone.project_id == Project.id),
        ~exists().where(Milestone.project_id == Project.id,
                        Milestone.status != MilestoneStatus.ACCEPTED)).order_by(Project.id)


def _open_tenders(account: Account, now: datetime) -> Select[Any]:
    return select(Project).where(
        Project.state == State.TENDERING, Project.tender_closes_at > now,
        ~exists().where(Bid.project_id == Project.id, Bid.status == BidStatus.SUBMITTED,
                        Bid.organization_id == account.organization_id)
    ).order_by(Project.tender_closes_at, Project.id)


def _open_milestones(account: Account | None, now: datetime, *, rectification: bool
                     ) -> Select[Any]:
    still_open = Milestone.status.in_([MilestoneStatus.PENDING, MilestoneStatus.RETURNED])
    which = Milestone.title == RECTIFICATION if rectification else and_(
        Milestone.title != RECTIFICATION, or_(
            Milestone.status == MilestoneStatus.RETURNED,
            Milestone.due_on <= local_date(now) + timedelta(
                days=current_app.config["MILESTONE_REMINDER_DAYS"])))
    query = select(Milestone).join(Project).where(
        Project.state == State.IMPLEMENTATION, still_open, which)
    if account is not None:
        query = query.where(_awarded_to(account))
    return query.order_by(Milestone.due_on, Milestone.id)


def _reports_late(account: Account | None, now: datetime) -> Select[Any]:
    """A progress report the clock found overdue (``progress_overdue_for``), none since."""
    query = select(Project).where(
        Project.state == State.IMPLEMENTATION, Project.progress_overdue_for.is_not(None),
        ~exists().where(ProgressReport.project_id == Project.id,
                        ProgressReport.submitted_at >= Project.progress_overdue_for))
    if account is not None:
        query = query.where(_awarded_to(account))
    return query.order_by(Project.progress_overdue_for, Project.id)


def _sheets_to_score(account: Account, now: datetime) -> Select[Any]:
    return select(Project).join(PanelAssignment).where(
        Project.state == State.EVALUATION, PanelAssignment.evaluator_id == account.id,
        PanelAssignment.recused_at.is_(None),
        ~exists().where(Evaluation.project_id == Project.id,
                        Evaluation.evaluator_id == account.id,
                        Evaluation.round == Project.rectifications + 1,
                        Evaluation.total_score.is_not(None))
    ).order_by(Project.evaluation_due_at, Project.id)


def _credit(account: Account, now: datetime) -> Select[Any]:
    credit = credit_query(account.organization_id).scalar_subquery()
    return select(credit.label("credit_fen")).where(credit > 0)


def _admin_rows(query: Callable[[], Select[Any]]) -> Callable[[Account, datetime], Select[Any]]:
    return lambda account, now: query()


def _panels_short(account: Account, now: datetime) -> Select[Any]:
    seated = select(func.count()).where(PanelAssignment.project_id == Project.id,
                                        PanelAssignment.recused_at.is_(None)).scalar_subquery()
    return select(Project).where(
        Project.state.in_([State.IMPLEMENTATION, State.EVALUATION]),
        seated < current_app.config["PANEL_SIZE"]).order_by(Project.id)


def _overdue_milestones(account: Account, now: datetime) -> Select[Any]:
    return select(Milestone).join(Project).where(
        Project.state == State.IMPLEMENTATION, Milestone.status != MilestoneStatus.ACCEPTED,
        Milestone.due_on < local_date(now)).order_by(Milestone.due_on, Milestone.id)


# --- what each row says -----------------------------------------------------------------------


def _project_task(kind: str, endpoint: str, anchor: str | None = None,
                  due: Callable[[Project], Any] = lambda p: None
                  ) -> Callable[[Any, datetime], Task]:
    def task(project: Project, now: datetime) -> Task:
        return Task(kind, project.title, endpoint, {"project_id": project.id}, anchor,
                    due=due(project))
    return task


def _milestone_task(kind: str, endpoint: str, anchor: str | None = None
                    ) -> Callable[[Any, datetime], Task]:
    def task(milestone: Milestone, now: datetime) -> Task:
        return Task(kind, milestone.project.title, endpoint,
                    {"project_id": milestone.project_id}, anchor or f"milestone-{milestone.id}",
                    due=milestone.due_on, overdue=milestone.is_overdue(local_date(now)),
                    extra={"milestone": milestone})
    return task


def _sheet_task(project: Project, now: datetime) -> Task:
    due = project.evaluation_due_at
    return Task("score", project.title, "evaluator.score", {"project_id": project.id},
                due=due, overdue=due is not None and now >= due,
                extra={"tally": project.panel_tally})


KINDS: tuple[Kind, ...] = (
    Kind("fix_bundle", Role.COMMUNITY, _bundles(Review.REJECTED),
         lambda p, now: Task("fix_bundle", p.title, "community.project",
                             {"project_id": p.id}, "review",
                             extra={"reason": p.review_reason})),
    Kind("submit_bundle", Role.COMMUNITY, _bundles(Review.DRAFT),
         _project_task("submit_bundle", "community.project", "review")),
    Kind("award", Role.COMMUNITY, _tenders_closed,
         _project_task("award", "community.project", "bids", lambda p: p.tender_closes_at)),
    Kind("accept_milestone", Role.COMMUNITY, _milestones_reported,
         _milestone_task("accept_milestone", "community.project")),
    Kind("answer_question", Role.COMMUNITY, _questions_open,
         lambda q, now: Task("answer_question", q.project.title, "community.project",
                             {"project_id": q.project_id}, f"question-{q.id}",
                             due=q.project.enquiry_closes_at, extra={"question": q.body})),
    Kind("choose_naming", Role.COMMUNITY, _namings_open,
         lambda s, now: Task("choose_naming", s.name, "community.naming", {},
                             f"station-{s.id}")),
    Kind("submit_for_evaluation", Role.COMMUNITY, _ready_for_evaluation,
         _project_task("submit_for_evaluation", "community.project", "submit-for-evaluation")),
    Kind("bid", Role.SOCIAL_ORG, _open_tenders,
         _project_task("bid", "ngo.project", "bid", lambda p: p.tender_closes_at)),
    Kind("report_milestone", Role.SOCIAL_ORG,
         lambda account, now: _open_milestones(account, now, rectification=False),
         _milestone_task("report_milestone", "ngo.project")),
    Kind("rectify", Role.SOCIAL_ORG,
         lambda account, now: _open_milestones(account, now, rectification=True),
         _milestone_task("rectify", "ngo.project")),
    Kind("progress_report", Role.SOCIAL_ORG, _reports_late,
         _project_task("progress_report", "ngo.project", "milestones",
                       lambda p: p.progress_overdue_for)),
    Kind("score", Role.EVALUATOR, _sheets_to_score, _sheet_task),
    Kind("place_credit", Role.ENTERPRISE, _credit,
         lambda credit, now: Task("place_credit", "", "enterprise.move_credit", {},
                                  extra={"credit_fen": int(credit)})),
    Kind("approve_organization", Role.ADMIN, _admin_rows(
        lambda: select(Organization).where(Organization.status == OrgStatus.PENDING)
        .order_by(Organization.id)),
         lambda o, now: Task("approve_organization", o.name, "admin.index", {},
                             f"organization-{o.id}")),
    Kind("review_station", Role.ADMIN, _admin_rows(
        lambda: select(Station).where(Station.status == StationStatus.PENDING)
        .order_by(Station.id)),
         lambda s, now: Task("review_station", s.name, "stations.review",
                             {"station_id": s.id})),
    Kind("review_bundle", Role.ADMIN, _admin_rows(
        lambda: select(Project).where(Project.state == State.PACKAGING,
                                      Project.review == Review.SUBMITTED).order_by(Project.id)),
         lambda p, now: Task("review_bundle", p.title, "admin.index", {}, f"bundle-{p.id}")),
    Kind("decide_complaint", Role.ADMIN, _admin_rows(
        lambda: select(Complaint).where(Complaint.status == ComplaintStatus.OPEN)
        .order_by(Complaint.lodged_at, Complaint.id)),
         lambda c, now: Task("decide_complaint", c.project.title, "complaints.index", {},
                             f"complaint-{c.id}", due=c.project.standstill_ends_at)),
    Kind("appoint_panel", Role.ADMIN, _panels_short,
         lambda p, now: Task("appoint_panel", p.title, "admin.index", {}, f"panel-{p.id}")),
    Kind("evaluation_overdue", Role.ADMIN,
         lambda account, now: select(Project).where(
             Project.state == State.EVALUATION, Project.evaluation_due_at <= now)
         .order_by(Project.evaluation_due_at, Project.id),
         _project_task("evaluation_overdue", "admin.panel_of",
                       due=lambda p: p.evaluation_due_at)),
    Kind("overdue_milestone", Role.ADMIN, _overdue_milestones,
         _milestone_task("overdue_milestone", "pages.project", "milestones")),
    Kind("overdue_report", Role.ADMIN, lambda account, now: _reports_late(None, now),
         _project_task("overdue_report", "pages.project", "milestones",
                       lambda p: p.progress_overdue_for)),
    Kind("county_report", Role.ADMIN,
         lambda account, now: select(ReportSchedule)
         .where(ReportSchedule.next_due_on <= local_date(now))
         .order_by(ReportSchedule.next_due_on, ReportSchedule.county),
         lambda r, now: Task("county_report", r.county, "county_reports.index", {},
                             f"schedule-{r.id}", due=r.next_due_on, overdue=True)),
)


def _kinds(account: Account) -> list[Kind]:
    if not account.organization.is_approved:
        return []
    return [kind for kind in KINDS if kind.role is account.role]


def rows(key: str, account: Account, now: datetime) -> list[Any]:
    """The rows one kind of task is about (the administrator's queues show them in full)."""
    kind = next(kind for kind in KINDS if kind.key == key)
    return list(db.session.execute(kind.rows(account, now)).scalars())


def tasks_of(account: Account, now: datetime) -> list[Task]:
    """Everything that waits for the account now, kind by kind, oldest deadline first."""
    found: list[Task] = []
    for kind in _kinds(account):
        rows = db.session.execute(kind.rows(account, now)).scalars()
        found.extend(kind.task(row, now) for row in rows)
    return found


@dataclass(frozen=True)
class Counts:
    tasks: int
    unread: int


def counts(account: Account, now: datetime) -> Counts:
    """The header's two numbers in one statement: tasks waiting and unread notifications."""
    parts = [select(func.count()).select_from(kind.rows(account, now).order_by(None)
                                              .subquery()).scalar_subquery()
             for kind in _kinds(account)]
    unread = select(func.count()).select_from(Notification).where(
        Notification.account_id == account.id, Notification.read_at.is_(None)).scalar_subquery()
    total = sum(parts[1:], parts[0]) if parts else 0
    tasks, unread_count = db.session.execute(select(total, unread)).one() if parts else \
        (0, db.session.execute(select(unread)).scalar_one())
    return Counts(int(tasks), int(unread_count))


# --- what the enterprise reads beside its tasks -----------------------------------------------


def funded_news(account: Account, now: datetime) -> list[AuditEvent]:
    """The last month's stage changes and accepted milestones of projects the enterprise funded."""
    funded = select(Subscription.project_id).where(
        Subscription.enterprise_id == account.organization_id)
    return list(db.session.execute(
        select(AuditEvent).where(
            AuditEvent.project_id.in_(funded), AuditEvent.at >= now - timedelta(days=NEWS_DAYS),
            or_(and_(AuditEvent.from_state.is_not(None), AuditEvent.to_state.is_not(None),
                     AuditEvent.from_state != AuditEvent.to_state),
                AuditEvent.trigger == "accept_milestone"))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(NEWS_LIMIT)).scalars())


def recent_receipts(account: Account) -> list[Subscription]:
    """The enterprise's latest subscriptions, each with its receipt to download."""
    return list(db.session.execute(
        select(Subscription).where(Subscription.enterprise_id == account.organization_id)
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .limit(RECEIPTS_LIMIT)).scalars())


def panel_waiting(account: Account) -> list[tuple[Project, PanelTally]]:
    """Projects the evaluator has scored whose panel has not decided yet, with its progress."""
    if not account.organization.is_approved:
        return []
    projects = db.session.execute(
        select(Project).join(PanelAssignment).where(
            Project.state == State.EVALUATION, PanelAssignment.evaluator_id == account.id,
            PanelAssignment.recused_at.is_(None),
            exists().where(Evaluation.project_id == Project.id,
                           Evaluation.evaluator_id == account.id,
                           Evaluation.round == Project.rectifications + 1,
                           Evaluation.total_score.is_not(None)))
        .order_by(Project.id)).scalars()
    return [(project, project.panel_tally) for project in projects]
