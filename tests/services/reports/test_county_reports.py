"""County progress reports: the administrator's schedule, recorded reports, one reminder per due
day (time is injected)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from marketplace.extensions import db
from marketplace.models import CountyReport, Notification, OutboxMail, ReportSchedule, Role
from marketplace.services.core.errors import Forbidden, Invalid
from marketplace.services.reports.county_reports import (
    overdue_schedules,
    record_report,
    remind_due,
    set_schedule,
)
from tests.factories import gen_account

# 09:00 UTC is 17:00 in Asia/Shanghai: the same calendar day.
DAY1 = datetime(2026, 4, 1, 9, 0)


def day(n: int) -> datetime:
    return DAY1.replace(day=n)


@pytest.fixture
def admin(app):
    return gen_account(Role.ADMIN)


def test_a_due_report_is_reminded_exactly_once(admin) -> None:
    other_admin = gen_account(Role.ADMIN)
    schedule = set_schedule("瑞安市", 30, date(2026, 4, 10), actor=admin, now=day(1))
    assert remind_due(day(9)) == [], "not yet due"
    assert [s.county for s in remind_due(day(10))] == ["瑞安市"]
    assert remind_due(day(10)) == [] and remind_due(day(20)) == [], "never twice for one day"
    notes = db.session.execute(db.select(Notification)).scalars().all()
    assert sorted(n.account_id for n in notes) == sorted([admin.id, other_admin.id])
    assert "瑞安市" in notes[0].text("zh") and "2026-04-10" in notes[0].text("en")
    assert db.session.execute(db.select(db.func.count(OutboxMail.id))).scalar_one() == 2

    report = record_report(schedule.id, "新建驿站 3 个，服务 120 人次。", actor=admin, now=day(21))
    assert report.due_on == date(2026, 4, 10)
    assert schedule.next_due_on == date(2026, 5, 10), "the next report is a period later"
    assert overdue_schedules(day(21)) == []
    assert remind_due(DAY1.replace(month=5, day=10)) == [schedule], "the new due day reminds"


def test_only_the_administrator_sets_and_records_and_bad_input_changes_nothing(admin) -> None:
    community = gen_account(Role.COMMUNITY)
    with pytest.raises(Forbidden):
        set_schedule("瑞安市", 30, date(2026, 4, 10), actor=community, now=day(1))
    for county, every in [("", 30), ("瑞安市", 0), ("瑞安市", 400)]:
        with pytest.raises(Invalid):
            set_schedule(county, every, date(2026, 4, 10), actor=admin, now=day(1))
    db.session.rollback()
    assert db.session.execute(db.select(ReportSchedule)).first() is None
    schedule = set_schedule("瑞安市", 30, date(2026, 4, 10), actor=admin, now=day(1))
    with pytest.raises(Forbidden):
        record_report(schedule.id, "报告", actor=community, now=day(2))
    with pytest.raises(Invalid):
        record_report(schedule.id, "  ", actor=admin, now=day(2))
    db.session.rollback()
    assert db.session.execute(db.select(CountyReport)).first() is None
    assert db.session.get(ReportSchedule, schedule.id).next_due_on == date(2026, 4, 10)


def test_changing_a_schedule_keeps_one_per_county(admin) -> None:
    set_schedule("瑞安市", 30, date(2026, 4, 10), actor=admin, now=day(1))
    set_schedule(" 瑞安市 ", 90, date(2026, 6, 30), actor=admin, now=day(2))
    schedules = db.session.execute(db.select(ReportSchedule)).scalars().all()
    assert [(s.county, s.every_days, s.next_due_on) for s in schedules] == [
        ("瑞安市", 90, date(2026, 6, 30))]

