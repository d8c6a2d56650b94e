"""An evaluation an evaluator can follow: its own sheet read-only once it is in, and a
conflict of interest declared on the page, which recuses it with the reason on record."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, PanelAssignment
from marketplace.services.evaluation.evaluations import evaluate
from tests.factories import at, gen_cast, gen_project


def test_after_submitting_the_evaluator_reads_its_own_sheet_and_cannot_retype_it(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    clock(at(61))
    indicators = project.indicator_set.indicators
    given = {i.code: (i.max_score * Decimal("0.8")).quantize(Decimal("0.01"))
             for i in indicators}
    evaluate(project.id, actor=cast.evaluators[0], no_conflict=True, now=at(60),
             scores=given, comments="入户记录完整")
    auth.login(cast.evaluators[0])
    page = client.get(f"/evaluator/projects/{project.id}?lang=en").get_data(as_text=True)
    assert 'name="score-' not in page  # no form to type a second sheet into
    sheet = re.search(r'<table class="data sheet">(.*?)</table>', page, re.S).group(1)
    for indicator in indicators:
        row = re.search(rf"<tr><td>[^<]*</td><td>{given[indicator.code]}</td>"
                        rf"<td>{indicator.max_score}</td></tr>", sheet)
        assert row, indicator.code
    assert "80.00 / 100" in sheet
    assert "入户记录完整" in page
    other = cast.evaluators[1]
    auth.logout()
    auth.login(other)
    assert 'name="score-' in client.get(f"/evaluator/projects/{project.id}").get_data(
        as_text=True)  # who has not scored still has the form


def _seat(project_id: int, evaluator_id: int) -> PanelAssignment:
    db.session.expire_all()
    return db.session.execute(select(PanelAssignment).where(
        PanelAssignment.project_id == project_id,
        PanelAssignment.evaluator_id == evaluator_id)).scalar_one()


def test_a_conflict_is_declared_with_its_reason_and_recuses_the_evaluator(
        client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    clock(at(61))
    evaluator = cast.evaluators[0]
    auth.login(evaluator)
    url = f"/evaluator/projects/{project.id}/recuse?lang=en"
    blank = client.post(url, data={"reason": "  "})
    assert blank.status_code == 400
    error = re.search(r'<p class="error" id="reason-error">([^<]*)</p>',
                      blank.get_data(as_text=True))
    assert error and error.group(1) == "Say what the conflict of interest is."
    assert _seat(project.id, evaluator.id).recused_at is None
    assert client.post(url, data={"reason": "我是承接机构的理事"}).status_code == 302
    seat = _seat(project.id, evaluator.id)
    assert seat.recused_at is not None and seat.recusal_reason == "我是承接机构的理事"
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.project_id == project.id, AuditEvent.trigger == "recuse")).scalar_one()
    assert event.reason == "我是承接机构的理事"
    assert client.get(f"/evaluator/projects/{project.id}").status_code == 404  # off the panel


def test_the_conflict_button_stands_apart_from_the_scores(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    clock(at(61))
    auth.login(cast.evaluators[0])
    page = client.get(f"/evaluator/projects/{project.id}").get_data(as_text=True)
    assert page.count('class="card danger-zone"') == 1
    assert "danger-zone" not in page.split("</title>", 1)[0]  # in the page, not its title
    zone = re.search(r'<section class="card danger-zone">(.*?)</section>', page, re.S).group(1)
    assert 'class="danger"' in zone and "recuse" in zone
