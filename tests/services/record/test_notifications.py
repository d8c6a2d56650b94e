"""Subscribers and bidders hear about the moves that concern them, in the move's transaction."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.mail import LogSender
from marketplace.models import Account, Notification, OutboxMail, Role
from marketplace.services.core.moves import move
from marketplace.services.record.notifications import inbox, move_params, send
from marketplace.services.record.outbox import MAX_ATTEMPTS, send_pending
from marketplace.services.subscription.funding import subscribe
from scheduler.jobs import run_due
from tests.factories import at, gen_cast, gen_project


def kinds(account: Account) -> list[str]:
    return [note.kind for note in inbox(account)]


def test_subscribers_hear_when_the_target_is_reached(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    for enterprise in cast.enterprises:
        notes = inbox(enterprise)
        assert [n.kind for n in notes] == ["project_funded"]
        assert notes[0].project_id == project.id and notes[0].read_at is None
        assert project.title in notes[0].text("zh") and "funded" in notes[0].text("en")
    assert kinds(cast.ngos[0]) == [] and kinds(cast.community) == []


def test_the_clock_tells_subscribers_of_a_project_that_closed_funded(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    subscribe(project.id, project.funding_minimum_fen - project.committed_fen,
              actor=cast.enterprises[1], now=at(5))
    assert kinds(cast.enterprises[1]) == []

    assert run_due(at(16)) == {project.id: ["close_subscription"]}
    assert kinds(cast.enterprises[0]) == kinds(cast.enterprises[1]) == ["project_funded"]


def test_the_clock_tells_subscribers_of_a_project_that_ended_unfunded(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    assert run_due(at(15)) == {} and kinds(cast.enterprises[0]) == []

    run_due(at(16))
    run_due(at(17))
    assert kinds(cast.enterprises[0]) == ["project_unfunded"]
    assert kinds(cast.enterprises[1]) == []  # never subscribed
    note = inbox(cast.enterprises[0])[0]
    assert note.project_id == project.id and note.created_at == at(16)


def test_every_bidder_hears_whether_it_won(app) -> None:
    cast = gen_cast()
    gen_project(cast, State.IMPLEMENTATION)
    # first the provisional award with the standstill, then the final word when the contract starts
    assert kinds(cast.ngos[0]) == ["bid_won", "award_provisional"]
    assert kinds(cast.ngos[1]) == ["bid_lost", "award_standstill"]
    assert "2026-04-06" in inbox(cast.ngos[1])[1].text("en")  # complaints until the end


def test_each_notification_queues_one_mail_which_is_sent_once(app) -> None:
    cast = gen_cast()
    gen_project(cast, State.TENDERING)
    queued = db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
    assert sorted(m.to for m in queued) == sorted(e.email for e in cast.enterprises)
    assert all(m.sent_at is None for m in queued)

    delivered: list[str] = []

    class Recording:
        def send(self, mail: OutboxMail) -> None:
            delivered.append(mail.to)

    assert send_pending(Recording(), at(20)) == 2
    assert send_pending(Recording(), at(21)) == 0
    assert sorted(delivered) == sorted(e.email for e in cast.enterprises)
    db.session.expire_all()
    assert all(m.sent_at == at(20) and m.attempts == 1 for m in queued)


def test_a_failing_sender_keeps_the_mail_for_a_later_try(app) -> None:
    cast = gen_cast()
    gen_project(cast, State.TENDERING)

    class Down:
        def send(self, mail: OutboxMail) -> None:
            raise OSError("connection refused")

    assert send_pending(Down(), at(20)) == 0
    mail = db.session.execute(db.select(OutboxMail).limit(1)).scalar_one()
    assert mail.sent_at is None and mail.attempts == 1 and "connection refused" in mail.last_error

    assert send_pending(LogSender(), at(21)) == 2
    db.session.refresh(mail)
    assert mail.sent_at == at(21) and mail.last_error is None and mail.attempts == 2

    for _ in range(MAX_ATTEMPTS):
        send_pending(Down(), at(22))  # nothing left to send; sent mail is never retried
    db.session.refresh(mail)
    assert mail.attempts == 2


def test_a_refused_move_notifies_no_one(app) -> None:
    cast = gen_cast()
    gen_project(cast, State.SUBSCRIPTION)
    run_due(at(10))  # before the deadline: nothing to do
    assert db.session.execute(db.select(Notification)).first() is None


def test_cancelling_a_tender_tells_subscribers_their_money_is_back_and_bidders_it_is_over(
        app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    move(project.id, "cancel", actor=cast.community, now=at(20), reason="街道已统一安排")
    for enterprise in cast.enterprises:
        assert kinds(enterprise) == ["project_cancelled", "project_funded"]
        assert "released" in inbox(enterprise)[0].text("en")
    for ngo in cast.ngos:
        assert kinds(ngo) == ["tender_cancelled"]
    assert kinds(cast.community) == []


def test_cancelling_during_subscription_tells_only_the_subscribers(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)  # only the first enterprise subscribed
    move(project.id, "cancel", actor=cast.community, now=at(5), reason="不再需要")
    assert kinds(cast.enterprises[0]) == ["project_cancelled"]
    assert kinds(cast.enterprises[1]) == [] and kinds(cast.ngos[0]) == []


def test_an_abandoned_tender_tells_its_subscribers(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    for bid in project.bids:  # both bids turn out invalid: the tender is re-opened, then ends
        bid.price_fen = project.budget_fen + 1
    db.session.commit()
    move(project.id, "reopen_tender", actor=cast.community, now=at(31),
         tender_closes_at=at(40))
    assert run_due(at(40)) == {project.id: ["abandon_tender"]}
    assert kinds(cast.enterprises[0]) == ["project_cancelled", "project_funded"]
    assert kinds(cast.ngos[0]) == ["tender_cancelled"]


def test_rectification_and_termination_reach_the_contractor(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TERMINATED)
    assert kinds(cast.ngos[0])[:2] == ["project_terminated", "returned_for_rectification"]
    assert kinds(cast.enterprises[0])[0] == "project_terminated"
    assert "project_terminated" not in kinds(cast.ngos[1])
    assert project.state is State.TERMINATED


def test_no_message_about_a_bundle_in_packaging_reaches_an_outsider(app) -> None:
    """A message about a project is a way of seeing it: the visibility rule picks recipients."""
    cast = gen_cast()
    project = gen_project(cast, State.PACKAGING)
    outsiders = [(cast.enterprises[0], "project_cancelled"), (cast.ngos[0], "tender_cancelled")]
    sent = send(project, [*outsiders, (cast.community, "project_cancelled")],
                move_params(project), at=at(1))
    db.session.commit()
    assert [n.account.role for n in sent] == [Role.COMMUNITY]
    assert db.session.execute(db.select(OutboxMail.to)).scalars().all() == [cast.community.email]


def test_the_standstill_is_told_in_the_deployments_zone_as_the_pages_tell_it(app) -> None:
    """Issue 14 item 7: an award e-mail said the UTC time where the page said local time."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from marketplace.web.infra.filters import local_time as page_time

    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    ends = project.standstill_ends_at
    local = ends.replace(tzinfo=UTC).astimezone(ZoneInfo(app.config["TIMEZONE"]))
    shown = local.strftime("%Y-%m-%d %H:%M")
    assert local.utcoffset() and shown != ends.strftime("%Y-%m-%d %H:%M")  # the zone matters
    assert page_time(ends) == shown
    note = next(n for n in inbox(cast.ngos[1]) if n.kind == "award_standstill")
    assert shown in note.text("zh") and shown in note.text("en")
    mail = db.session.execute(db.select(OutboxMail).where(
        OutboxMail.to == cast.ngos[1].email, OutboxMail.body.contains(shown))).scalars().all()
    assert mail and not any(ends.strftime("%Y-%m-%d %H:%M") in m.body for m in mail)
