"""The enquiry period: questions until its last second, public answers that reach every bidder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.demo import bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, OrgStatus, Question, Role
from marketplace.services.core.deadlines import extend_deadline
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.record.notifications import inbox
from marketplace.services.tendering.enquiries import MAX_QUESTION, answer_question, ask_question
from tests.factories import T0, at, gen_account, gen_cast, gen_project, gen_station, services

SECOND = timedelta(seconds=1)


def kinds(account) -> list[str]:  # noqa: ANN001
    return [note.kind for note in inbox(account)]


def test_the_enquiry_period_defaults_to_the_first_third_of_the_tender(app) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    # subscription closes on day 16, the tender on day 30: questions until day 16 + 14/3
    assert project.enquiry_closes_at == at(16) + timedelta(days=14) / 3


def test_an_enquiry_deadline_outside_the_tender_period_is_refused(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    draft = bundle_draft("助餐服务包", T0, services())
    for wrong in (at(16), at(10), at(30), at(31)):
        with pytest.raises(Invalid) as refused:
            create_bundle(station.id, draft.__class__(**{**draft.__dict__,
                                                         "enquiry_closes_at": wrong}),
                          actor=cast.community, now=T0)
        assert refused.value.field == "enquiry_closes_at"
    chosen = create_bundle(station.id, draft.__class__(**{**draft.__dict__,
                                                          "enquiry_closes_at": at(25)}),
                           actor=cast.community, now=T0)
    assert chosen.enquiry_closes_at == at(25)


def test_a_question_at_the_last_second_is_taken_one_after_is_refused(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    closes = project.enquiry_closes_at
    asked = ask_question(project.id, "  服务对象名单由谁提供？ ", actor=cast.ngos[0],
                         now=closes - SECOND)
    assert asked.body == "服务对象名单由谁提供？"
    with pytest.raises(Conflict, match="enquiry period is over") as refused:
        ask_question(project.id, "还能问吗？", actor=cast.ngos[1], now=closes)
    assert refused.value.field == "body" and refused.value.rule == "enquiry_open"
    db.session.expire_all()
    assert [q.body for q in db.session.execute(db.select(Question)).scalars()] == [asked.body]
    assert kinds(cast.community) == ["question_asked"]


def test_questions_need_an_approved_organization_and_a_sensible_text(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    pending = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING)
    for actor in (pending, cast.enterprises[0], cast.community):
        with pytest.raises(Forbidden):
            ask_question(project.id, "问题", actor=actor, now=at(17))
    for body in ("", "   ", "问" * (MAX_QUESTION + 1)):
        with pytest.raises(Invalid):
            ask_question(project.id, body, actor=cast.ngos[0], now=at(17))
    subscribing = gen_project(cast, State.SUBSCRIPTION)
    with pytest.raises(Conflict):  # not in tendering: no enquiry period
        ask_question(subscribing.id, "问题", actor=cast.ngos[0], now=at(5))
    assert db.session.execute(db.select(db.func.count(Question.id))).scalar_one() == 0


def test_the_answer_reaches_every_bidder_and_the_trail_never_names_the_asker(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)  # both organizations bid on day 10
    outsider = gen_account(Role.SOCIAL_ORG)
    question = ask_question(project.id, "可否分期入户？", actor=outsider, now=at(17))
    with pytest.raises(Forbidden):
        answer_question(project.id, question.id, "可以", actor=gen_account(Role.COMMUNITY),
                        now=at(18))
    with pytest.raises(Invalid):
        answer_question(project.id, question.id, " ", actor=cast.community, now=at(18))
    answered = answer_question(project.id, question.id, "可以，两期。", actor=cast.community,
                               now=at(18))
    assert answered.answer == "可以，两期。" and answered.answered_at == at(18)
    with pytest.raises(Conflict):
        answer_question(project.id, question.id, "再答", actor=cast.community, now=at(19))
    for organization in (outsider, *cast.ngos):  # the asker and both bidders
        assert kinds(organization) == ["question_answered"]
    assert "question_answered" not in kinds(cast.enterprises[0])
    events = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.trigger.in_(["ask_question", "answer_question"]))
        .order_by(AuditEvent.id)).scalars().all()
    assert [(e.trigger, e.from_state, e.to_state) for e in events] == [
        ("ask_question", "tendering", "tendering"), ("answer_question", "tendering", "tendering")]
    assert all("可否" not in str(e.details) and outsider.organization.name not in str(e.details)
               for e in events)


def test_the_enquiry_deadline_moves_only_forward_and_stays_inside_the_tender(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    closes = project.enquiry_closes_at
    with pytest.raises(Invalid):
        extend_deadline(project.id, "enquiry_closes_at", at(30), "太晚", actor=cast.community,
                        now=at(17))
    extend_deadline(project.id, "enquiry_closes_at", at(25), "补充答疑", actor=cast.community,
                    now=at(17))
    assert ask_question(project.id, "延期后还能问", actor=cast.ngos[0], now=closes + SECOND)
