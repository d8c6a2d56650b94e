"""The clock's notices: each reminder and overdue notice once, and none before its time."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime

import pytest
from flask import Flask

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Milestone, MilestoneStatus, Notification, OutboxMail
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.implementation.delivery import report_progress, review_milestone
from marketplace.services.record.notifications import inbox
from scheduler import process
from scheduler.reminders import send_reminders, upcoming
from tests.factories import at, gen_cast, gen_project


def kinds(account: Account) -> list[str]:
    return [note.kind for note in inbox(account)]


def _open_milestone(project) -> Milestone:  # noqa: ANN001
    return next(m for m in project.milestones if m.status is not MilestoneStatus.ACCEPTED)


def test_a_milestone_reminder_goes_out_once_seven_days_before_and_not_earlier(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = _open_milestone(project)
    assert milestone.due_on == date(2026, 5, 30)
    # 2026-05-23 00:00 in Shanghai is 2026-05-22 16:00 UTC: seven local days before
    assert send_reminders(datetime(2026, 5, 22, 15, 59)) == {}
    assert "milestone_reminder" not in kinds(cast.ngos[0])

    assert send_reminders(datetime(2026, 5, 22, 16, 0)) == {"milestone_reminder": 1}
    assert send_reminders(datetime(2026, 5, 22, 16, 0)) == {}
    assert send_reminders(datetime(2026, 5, 29, 12, 0)) == {}
    assert kinds(cast.ngos[0]).count("milestone_reminder") == 1
    assert "milestone_reminder" not in kinds(cast.ngos[1]) + kinds(cast.community)
    note = next(n for n in inbox(cast.ngos[0]) if n.kind == "milestone_reminder")
    assert "2026-05-30" in note.text("en") and milestone.title in note.text("zh")
    db.session.expire_all()
    assert milestone.reminded_at == datetime(2026, 5, 22, 16, 0)


def test_an_overdue_milestone_is_reported_once_to_the_organization_and_the_community(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = _open_milestone(project)
    mails = db.session.execute(db.select(db.func.count(OutboxMail.id))).scalar_one()
    # still due on its due day; overdue from 2026-05-31 00:00 Shanghai (05-30 16:00 UTC)
    assert "milestone_overdue" not in send_reminders(datetime(2026, 5, 30, 15, 59))
    assert send_reminders(datetime(2026, 5, 30, 16, 0)) == {"milestone_overdue": 1}
    assert send_reminders(datetime(2026, 6, 10)) == {}
    assert kinds(cast.ngos[0]).count("milestone_overdue") == 1
    assert kinds(cast.community).count("milestone_overdue") == 1
    assert "milestone_overdue" not in kinds(cast.ngos[1])
    # the sweep on the due day itself still sent the (one) reminder
    assert kinds(cast.ngos[0]).count("milestone_reminder") == 1
    db.session.expire_all()
    assert milestone.overdue_notified_at == datetime(2026, 5, 30, 16, 0)
    assert db.session.execute(db.select(db.func.count(OutboxMail.id))).scalar_one() == mails + 3


def test_a_milestone_accepted_in_time_gets_no_overdue_notice(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = _open_milestone(project)
    report_progress(project.id, milestone.id, actor=cast.ngos[0], body="完成", now=at(80))
    review_milestone(project.id, milestone.id, actor=cast.community, accept=True, now=at(81))
    assert send_reminders(datetime(2026, 6, 30)) == {}


def test_a_late_sweep_sends_only_the_overdue_notice(app) -> None:
    cast = gen_cast()
    gen_project(cast, State.IMPLEMENTATION)
    assert send_reminders(datetime(2026, 6, 2)) == {"milestone_overdue": 1}
    assert "milestone_reminder" not in kinds(cast.ngos[0])


def test_a_progress_report_overdue_after_three_months_is_noticed_once(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)  # last report on day 41: 2026-04-11 09:00
    milestone = _open_milestone(project)
    due = datetime(2026, 7, 11, 9, 0)
    assert "progress_report_overdue" not in send_reminders(due.replace(hour=8))
    assert send_reminders(due)["progress_report_overdue"] == 1
    assert "progress_report_overdue" not in send_reminders(due.replace(day=20))
    for account in (cast.ngos[0], cast.community):
        assert kinds(account).count("progress_report_overdue") == 1
    # a new report restarts the cadence; its next due time gets its own notice
    report_progress(project.id, milestone.id, actor=cast.ngos[0], body="第二期进展",
                    now=datetime(2026, 7, 20))
    assert "progress_report_overdue" not in send_reminders(datetime(2026, 10, 19))
    assert send_reminders(datetime(2026, 10, 20))["progress_report_overdue"] == 1
    assert kinds(cast.community).count("progress_report_overdue") == 2


def test_evaluators_who_have_not_scored_hear_once_before_and_once_when_overdue(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)  # entered evaluation on day 43
    assert project.evaluation_due_at == at(73)
    indicators = project.indicator_set.indicators
    evaluate(project.id, actor=cast.evaluators[0], no_conflict=True, now=at(50),
             scores={i.code: i.max_score for i in indicators})
    assert send_reminders(at(65.9)) == {}
    assert send_reminders(at(66)) == {"evaluation_reminder": 1}
    assert send_reminders(at(70)) == {}
    assert send_reminders(at(73)) == {"evaluation_overdue": 1}
    assert send_reminders(at(90)) == {}
    assert kinds(cast.evaluators[0]) == []  # already scored
    for evaluator in cast.evaluators[1:]:
        assert kinds(evaluator) == ["evaluation_overdue", "evaluation_reminder"]
    assert db.session.execute(db.select(db.func.count(Notification.id)).where(
        Notification.kind.like("evaluation_%"))).scalar_one() == 4


def test_the_preview_lists_the_coming_notices_and_changes_nothing(app, runner) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    planned = upcoming(datetime(2026, 5, 20), datetime(2026, 6, 1))
    assert [(p.project_id, p.kind) for p in planned] == [
        (project.id, "milestone_reminder"), (project.id, "milestone_overdue")]
    assert planned[0].at == datetime(2026, 5, 22, 16, 0)
    result = runner.invoke(args=["scheduler", "preview", "--days", "12",
                                 "--at", "2026-05-20T00:00:00"])
    assert result.exit_code == 0, result.output
    assert f"2026-05-22 16:00  project {project.id} 助餐服务包: notice milestone_reminder" \
        in result.output
    assert "2 notice(s) due." in result.output
    assert db.session.execute(db.select(db.func.count(Notification.id)).where(
        Notification.kind.like("milestone_%"))).scalar_one() == 0

    result = runner.invoke(args=["scheduler", "run-once", "--at", "2026-05-23T00:00:00"])
    assert result.exit_code == 0, result.output
    assert "milestone_reminder: 1 sent" in result.output


@pytest.mark.postgres
def test_two_reminder_sweeps_racing_in_threads_send_each_notice_once(app: Flask) -> None:
    cast = gen_cast()
    projects = [gen_project(cast, State.IMPLEMENTATION) for _ in range(3)]
    db.session.commit()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                send_reminders(datetime(2026, 6, 2))
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    db.session.expire_all()
    sent = db.session.execute(
        db.select(Notification.project_id, Notification.account_id)
        .where(Notification.kind == "milestone_overdue")).all()
    # each project's open milestone: once to the organization, once to the community
    assert sorted(Counter(sent).values()) == [1] * 6
    assert {project_id for project_id, _ in sent} == {p.id for p in projects}


def test_the_scheduler_process_sends_the_notices_in_its_periodic_sweep(app: Flask,
                                                                       monkeypatch) -> None:
    cast = gen_cast()
    gen_project(cast, State.IMPLEMENTATION)
    app.config["CLOCK"] = lambda: datetime(2026, 6, 2)  # the platform's clock the sweep reads
    monkeypatch.setattr(process, "_app", app)
    process.sweep()
    process.sweep()
    assert kinds(cast.community) == ["milestone_overdue"]
