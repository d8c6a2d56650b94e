"""The clock's notices: reminders before a duty falls due and one notice once it is overdue.

Beside ``run_due`` (which moves projects), this sweep only writes notifications. Each notice is
sent exactly once: the row that owes it is locked (rows another sweep holds are skipped) and
stamped (``reminded_at``, ``overdue_notified_at``, ``progress_overdue_for``,
``evaluation_reminded_at``, ``evaluation_overdue_at``) in the same transaction as the inbox
messages and e-mails, so a second sweep, or a second scheduler, finds nothing left to send.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy.orm import selectinload

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Milestone, MilestoneStatus, Project
from marketplace.services.core.unit import atomic
from marketplace.services.implementation.duties import pending_evaluators, progress_report_due_at
from marketplace.services.record.notifications import Recipients, accounts_of, send

log = logging.getLogger(__name__)
BATCH = 500
UNACCEPTED = (MilestoneStatus.PENDING, MilestoneStatus.REPORTED, MilestoneStatus.RETURNED)
TO_DELIVER = (MilestoneStatus.PENDING, MilestoneStatus.RETURNED)  # a reminder still helps


def _contractor(project: Project) -> list[Account]:
    return accounts_of([project.award.organization_id]) if project.award else []


def _community(project: Project) -> list[Account]:
    return accounts_of([project.station.community_id])


def _local_day(moment: datetime) -> str:
    """A stored (naive UTC) time as the reader's day, in the deployment's time zone."""
    return local_date(moment).isoformat()


def _milestones(where: tuple[ColumnElement[bool], ...], limit: int) -> list[Milestone]:
    """Open milestones of projects in implementation, locked; the index on (status,
    overdue_notified_at, due_on) keeps this to the rows that are due."""
    return list(db.session.execute(
        db.select(Milestone).join(Project)
        .where(Project.state == State.IMPLEMENTATION, Milestone.overdue_notified_at.is_(None),
               *where)
        .order_by(Milestone.due_on, Milestone.id).limit(limit)
        .with_for_update(skip_locked=True, of=Milestone)
        .options(selectinload(Milestone.project))).scalars())


def _milestone_params(milestone: Milestone) -> dict[str, object]:
    return {"title": milestone.project.title, "project_id": milestone.project_id,
            "milestone": milestone.title, "due_on": milestone.due_on.isoformat()}


def remind_milestones(now: datetime, batch: int = BATCH) -> Counter[str]:
    """One reminder N days before a milestone's due day, one overdue notice after it."""
    today = local_date(now)
    horizon = today + timedelta(days=current_app.config["MILESTONE_REMINDER_DAYS"])
    sent: Counter[str] = Counter()
    kinds = (
        ("milestone_reminder", (Milestone.status.in_(TO_DELIVER), Milestone.reminded_at.is_(None),
                                Milestone.due_on >= today, Milestone.due_on <= horizon)),
        ("milestone_overdue", (Milestone.status.in_(UNACCEPTED), Milestone.due_on < today)),
    )
    for kind, where in kinds:
        while True:
            with atomic():
                due = _milestones(where, batch)
                for milestone in due:
                    project = milestone.project
                    people: Recipients = [(a, kind) for a in _contractor(project)]
                    if kind == "milestone_overdue":
                        people = [*people, *((a, kind) for a in _community(project))]
                        milestone.overdue_notified_at = now
                    else:
                        milestone.reminded_at = now
                    send(project, people, _milestone_params(milestone), at=now)
            sent[kind] += len(due)
            if len(due) < batch:
                break
    return sent


def _projects(state: State, *where: object) -> list[Project]:
    return list(db.session.execute(
        db.select(Project).where(Project.state == state, *where).order_by(Project.id)
        .with_for_update(skip_locked=True)
        .options(selectinload(Project.award), selectinload(Project.progress_reports))
        .execution_options(populate_existing=True)).scalars())


def remind_progress_reports(now: datetime) -> Counter[str]:
    """One notice to the organization and the community when a progress report is overdue.

    The due times are worked out without locks first; only the projects that owe a notice are
    then locked (and checked again), so the sweep does not hold every project in delivery.
    """
    def owes(project: Project) -> datetime | None:
        due = progress_report_due_at(project)
        return due if due is not None and now >= due and project.progress_overdue_for != due \
            else None

    candidates = [project.id for project in db.session.execute(
        db.select(Project).where(Project.state == State.IMPLEMENTATION)
        .options(selectinload(Project.award), selectinload(Project.progress_reports)))
        .scalars() if owes(project)]
    sent: Counter[str] = Counter()
    with atomic():
        if not candidates:
            return sent
        for project in _projects(State.IMPLEMENTATION, Project.id.in_(candidates)):
            due = owes(project)
            if due is None:  # reported meanwhile, or another sweep sent it
                continue
            project.progress_overdue_for = due
            kind = "progress_report_overdue"
            send(project, [(a, kind) for a in [*_contractor(project), *_community(project)]],
                 {"title": project.title, "project_id": project.id,
                  "due_at": _local_day(due)}, at=now)
            sent[kind] += 1
    return sent


def remind_evaluators(now: datetime) -> Counter[str]:
    """The panel members who have not scored: once before the deadline, once when overdue."""
    ahead = timedelta(days=current_app.config["EVALUATION_REMINDER_DAYS"])
    sent: Counter[str] = Counter()
    with atomic():
        for project in _projects(State.EVALUATION, Project.evaluation_due_at <= now + ahead,
                                 Project.evaluation_overdue_at.is_(None),
                                 db.or_(Project.evaluation_reminded_at.is_(None),
                                        Project.evaluation_due_at <= now)):
            if now >= project.evaluation_due_at:
                kind = "evaluation_overdue"
            elif project.evaluation_reminded_at is None:
                kind = "evaluation_reminder"
            else:
                continue
            if not project.panel:  # no panel appointed yet: wait for it
                continue
            if kind == "evaluation_overdue":
                project.evaluation_overdue_at = now
            else:
                project.evaluation_reminded_at = now
            people = [(a, kind) for a in pending_evaluators(project)]
            send(project, people, {"title": project.title, "project_id": project.id,
                                   "due_at": _local_day(project.evaluation_due_at)},
                 at=now)
            sent[kind] += 1 if people else 0
    return sent


def send_reminders(now: datetime) -> dict[str, int]:
    """Every notice due at ``now``, by kind: how many milestones or projects got one."""
    sent = remind_milestones(now) + remind_progress_reports(now) + remind_evaluators(now)
    for kind, n in sorted(sent.items()):
        log.info("%s: %s sent", kind, n)
    return dict(sent)


@dataclass(frozen=True)
class PlannedNotice:
    project_id: int
    title: str
    at: datetime
    kind: str


def _start_of(day: date) -> datetime:
    """Midnight of a local day, as the naive UTC the database stores."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def upcoming(now: datetime, until: datetime) -> list[PlannedNotice]:
    """The notices the sweep would send up to ``until`` if nobody acts; changes nothing."""
    remind_days = timedelta(days=current_app.config["MILESTONE_REMINDER_DAYS"])
    ahead = timedelta(days=current_app.config["EVALUATION_REMINDER_DAYS"])
    planned: list[PlannedNotice] = []

    def plan(project: Project, when: datetime, kind: str) -> None:
        if when <= until:
            planned.append(PlannedNotice(project.id, project.title, max(when, now), kind))

    today = local_date(now)
    for project in db.session.execute(
            db.select(Project).where(Project.state.in_([State.IMPLEMENTATION, State.EVALUATION]))
            .order_by(Project.id)).scalars():
        if project.state is State.EVALUATION:
            if project.evaluation_due_at is None or project.evaluation_overdue_at is not None:
                continue
            if project.evaluation_reminded_at is None and \
                    now < project.evaluation_due_at:
                plan(project, project.evaluation_due_at - ahead, "evaluation_reminder")
            plan(project, project.evaluation_due_at, "evaluation_overdue")
            continue
        for m in project.milestones:
            if m.status is MilestoneStatus.ACCEPTED or m.overdue_notified_at is not None:
                continue
            if m.reminded_at is None and m.status in TO_DELIVER and m.due_on >= today:
                plan(project, _start_of(m.due_on - remind_days), "milestone_reminder")
            plan(project, _start_of(m.due_on + timedelta(days=1)), "milestone_overdue")
        due = progress_report_due_at(project)
        if due is not None and project.progress_overdue_for != due:
            plan(project, due, "progress_report_overdue")
    return sorted(planned, key=lambda p: (p.at, p.project_id, p.kind))
