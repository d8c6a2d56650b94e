"""The county-report page: the administrator sets a schedule and records a report."""

from __future__ import annotations

from datetime import date, datetime

from marketplace.extensions import db
from marketplace.models import ReportSchedule, Role
from tests.factories import gen_account

DAY15 = datetime(2026, 4, 15, 9, 0)


def test_the_page_sets_a_schedule_and_records_a_report(app, client, auth, clock) -> None:
    admin = gen_account(Role.ADMIN)
    clock(DAY15)
    auth.login(admin)
    response = client.post("/admin/county-reports/", data={
        "county": "永嘉县", "every_days": "30", "first_due_on": "2026-04-10"})
    assert response.status_code == 302
    page = client.get("/admin/county-reports/").get_data(as_text=True)
    assert "永嘉县" in page and 'class="overdue"' in page
    dashboard = client.get("/admin/dashboard").get_data(as_text=True)
    assert "永嘉县" in dashboard.split('id="county-reports-due"')[1], "due: shown on the dashboard"
    schedule = db.session.execute(db.select(ReportSchedule)).scalar_one()
    assert client.post(f"/admin/county-reports/{schedule.id}/reports",
                       data={"body": "本季度新建驿站 2 个。"}).status_code == 302
    db.session.expire_all()
    assert schedule.next_due_on == date(2026, 5, 10)
    assert "本季度新建驿站 2 个。" in client.get("/admin/county-reports/").get_data(as_text=True)
    bad = client.post("/admin/county-reports/", data={
        "county": "永嘉县", "every_days": "0", "first_due_on": "2026-04-10"})
    assert bad.status_code == 400
