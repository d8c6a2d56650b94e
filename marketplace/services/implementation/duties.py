"""What the delivering organization and the panel owe, and by when: milestones due, the
progress-report cadence, the panel's scoring deadline. Read by the pages and by the clock's
reminder sweep (``scheduler.reminders``), so both say the same thing.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import selectinload

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project
from marketplace.services.evaluation.panels import active_members


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))


def progress_report_due_at(project: Project) -> datetime | None:
    """During implementation, the next progress report is due a cadence after the contract
    started or the last report, whichever is later."""
    if project.state is not State.IMPLEMENTATION or project.award is None \
            or project.award.contract_started_at is None:
        return None
    last = max([project.award.contract_started_at,
                *(r.submitted_at for r in project.progress_reports)])
    return add_months(last, current_app.config["PROGRESS_REPORT_MONTHS"])


def shown_on_project(project: Project, now: datetime) -> dict[str, Any]:
    """What a project page shows of the delivery duties: overdue milestones, the next progress
    report and whether it is late; one computation for the public, community and NGO pages."""
    due = progress_report_due_at(project)
    return {"overdue": overdue_milestone_ids(project, local_date(now)), "report_due_at": due,
            "report_overdue": due is not None and now >= due}


def overdue_milestone_ids(project: Project, today: date) -> set[int]:
    """Ids of the project's milestones past their due day without an accepted report."""
    if project.state is not State.IMPLEMENTATION:
        return set()
    return {m.id for m in project.milestones if m.is_overdue(today)}


def pending_evaluators(project: Project) -> list[Account]:
    """Panel members still counted who have not submitted a sheet for the current round."""
    scored = {e.evaluator_id for e in project.evaluations
              if e.round == project.rectifications + 1 and e.total_score is not None}
    return [m.evaluator for m in active_members(project) if m.evaluator_id not in scored]


def evaluation_overdue(project: Project, now: datetime) -> bool:
    return (project.state is State.EVALUATION and project.evaluation_due_at is not None
            and now >= project.evaluation_due_at)


def overdue_progress_reports(now: datetime) -> list[tuple[Project, datetime]]:
    """Projects in implementation whose next progress report is overdue, with its due time."""
    projects = db.session.execute(
        db.select(Project).where(Project.state == State.IMPLEMENTATION).order_by(Project.id)
        .options(selectinload(Project.award), selectinload(Project.progress_reports))).scalars()
    late = [(project, due) for project in projects
            if (due := progress_report_due_at(project)) is not None and now >= due]
    return sorted(late, key=lambda pair: (pair[1], pair[0].id))
