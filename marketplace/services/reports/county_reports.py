"""County progress reports on the administrator's schedule, and the one reminder per due day.

The policy has counties report progress on a fixed schedule (appendix 8). The administrator sets
each county's schedule and records the report when it arrives; recording it moves the next due
day on by one period. When a due day comes without a report, the sweep reminds every
administrator once (``reminded_for`` remembers the day), never again for the same day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.models import (
    Account,
    CountyReport,
    Notification,
    Organization,
    OutboxMail,
    ReportSchedule,
    Role,
)
from marketplace.services.core.errors import Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic
from marketplace.services.record.audit import record
from marketplace.services.record.notifications import render

MAX_EVERY_DAYS = 366


def _admin_only(actor: Account) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only the administrator sets and records county reports.")


def set_schedule(county: str, every_days: int, first_due_on: date, *, actor: Account,
                 now: datetime) -> ReportSchedule:
    """Create or change a county's schedule; the next report is then due on ``first_due_on``."""
    _admin_only(actor)
    county = (county or "").strip()
    if not county:
        raise Invalid("Name the county.", field="county")
    if not isinstance(every_days, int) or not 1 <= every_days <= MAX_EVERY_DAYS:
        raise Invalid("Reports are due every 1 to %(max)s days.", field="every_days",
                      max=MAX_EVERY_DAYS)
    with atomic():
        schedule = db.session.execute(
            db.select(ReportSchedule).where(ReportSchedule.county == county)
            .with_for_update()).scalar_one_or_none()
        if schedule is None:
            schedule = ReportSchedule(county=county)
            db.session.add(schedule)
        schedule.every_days, schedule.next_due_on = every_days, first_due_on
        schedule.set_by, schedule.set_at = actor, now
        record(None, actor, "set_report_schedule", now=now,
               details={"county": county, "every_days": every_days,
                        "next_due_on": first_due_on.isoformat()})
    return schedule


def record_report(schedule_id: int, body: str, *, actor: Account,
                  now: datetime) -> CountyReport:
    """The county's report for the period now due; the next one falls due a period later."""
    _admin_only(actor)
    body = (body or "").strip()
    with atomic():
        schedule = db.session.execute(
            db.select(ReportSchedule).where(ReportSchedule.id == schedule_id)
            .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
        if schedule is None:
            raise NotFound("No report schedule %(id)s.", id=schedule_id)
        if not body:
            raise Invalid("Write what the county reported.", field="body")
        report = CountyReport(schedule=schedule, due_on=schedule.next_due_on, body=body,
                              recorded_by=actor, recorded_at=now)
        db.session.add(report)
        schedule.next_due_on += timedelta(days=schedule.every_days)
        record(None, actor, "record_county_report", now=now,
               details={"county": schedule.county, "due_on": report.due_on.isoformat()})
    return report


def overdue_schedules(now: datetime) -> list[ReportSchedule]:
    """Counties whose report is due today or earlier and not yet recorded."""
    return list(db.session.execute(
        db.select(ReportSchedule).where(ReportSchedule.next_due_on <= local_date(now))
        .order_by(ReportSchedule.next_due_on, ReportSchedule.county)).scalars())


def remind_due(now: datetime) -> list[ReportSchedule]:
    """Remind every administrator of each county report that has fallen due, exactly once.

    The schedule rows are locked (skipping rows another sweep holds) and marked in the same
    transaction as the reminders, so two sweeps never both remind.
    """
    today = local_date(now)
    with atomic():
        due = list(db.session.execute(
            db.select(ReportSchedule)
            .where(ReportSchedule.next_due_on <= today,
                   db.or_(ReportSchedule.reminded_for.is_(None),
                          ReportSchedule.reminded_for != ReportSchedule.next_due_on))
            .order_by(ReportSchedule.id).with_for_update(skip_locked=True)).scalars())
        if not due:
            return []
        admins = db.session.execute(
            db.select(Account).join(Organization)
            .where(Account.is_active, Organization.role == Role.ADMIN)
            .order_by(Account.id)).scalars().all()
        for schedule in due:
            params = {"county": schedule.county, "due_on": schedule.next_due_on.isoformat()}
            for admin in admins:
                db.session.add(Notification(account=admin, kind="county_report_due", params=params,
                                            created_at=now))
                db.session.add(OutboxMail(
                    to=admin.email, subject=render("county_report_due", params, "zh")[:300],
                    body=f"{render('county_report_due', params, 'zh')}\n\n"
                         f"{render('county_report_due', params, 'en')}\n", created_at=now))
            schedule.reminded_for = schedule.next_due_on
    return due
