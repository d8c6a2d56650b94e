"""Two worker processes sending the same request at the same moment: the second sees the first.

``make run`` serves SQLite with two gunicorn workers. There the database ignored
``SELECT … FOR UPDATE`` and a transaction began at its first write, after the service had
read what it checks: two withdrawals of the same credit both answered 201 and left the
enterprise below zero. Each test starts two real processes (``racer.py``) that send their
request together and stall after their checks, so without the write lock both checks pass.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Evaluation, Organization, Project, Subscription
from marketplace.services.core import writelock
from marketplace.services.identity.tokens import issue_token
from marketplace.services.subscription.credit import credit_fen
from tests.factories import PASSWORD, at, gen_cast, gen_project
from tests.scheduler.processes import Child

START_BOUND = 60.0  # a cold interpreter start on a busy two-core machine
RACE_BOUND = 60.0


def token(account: Account, now: datetime) -> str:
    raw, _ = issue_token(account.email, PASSWORD, now=now, ttl=timedelta(days=365),
                         ip="race")
    return raw


def race(app: Flask, tmp_path: Path, now: datetime,
         requests: list[tuple[str, str, str, dict[str, object]]],
         headers: dict[str, str] | None = None) -> list[tuple[int, dict]]:
    """Send each (token, method, path, body) from its own process at the same moment, each
    with ``headers`` too; the (status, JSON) answers in the order given."""
    db.session.commit()  # the racers must not wait for anything this session holds
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    go = tmp_path / "go"
    racers = [Child([sys.executable, "-m", "tests.scaleout.racer", url, now.isoformat(), raw,
                     str(go), method, path, json.dumps(payload), json.dumps(headers or {})],
                    env={})
              for raw, method, path, payload in requests]
    try:
        for racer in racers:
            racer.wait_for("READY", START_BOUND)
        go.touch()
        for racer in racers:
            racer.wait_for("RESULT", RACE_BOUND)
    finally:
        for racer in racers:
            racer.kill()
    answers = []
    for racer in racers:
        line = next(line for line in racer.lines if line.startswith("RESULT"))
        _, status, body = line.split(" ", 2)
        answers.append((int(status), json.loads(body)))
    db.session.rollback()  # read what the racers committed, not this session's old snapshot
    return answers


def ledger_verified(app: Flask) -> bool:
    return app.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0


def test_two_withdrawals_of_the_same_credit_at_once_one_is_refused(app, tmp_path) -> None:
    cast = gen_cast()
    enterprise = cast.enterprises[0]
    gen_project(cast, State.UNFUNDED)
    credit = credit_fen(enterprise.organization_id)
    assert credit > 0
    now = at(20)
    raw = token(enterprise, now)
    withdrawal = ("POST", "/api/v1/credit/withdrawals", {"amount_fen": credit, "reason": "年终"})
    answers = race(app, tmp_path, now, [(raw, *withdrawal), (raw, *withdrawal)])

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert refused["field"] == "amount" and refused["rule"] == "within_credit"
    assert "credit is ¥0.00" in refused["message"]
    assert credit_fen(enterprise.organization_id) == 0
    assert ledger_verified(app)


def test_two_subscriptions_for_the_last_slice_at_once_the_second_finds_it_closed(
        app, tmp_path) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    remaining, project_id = project.remaining_fen, project.id
    now = at(5)
    path = f"/api/v1/projects/{project_id}/subscriptions"
    answers = race(app, tmp_path, now, [
        (token(enterprise, now), "POST", path, {"amount_fen": remaining})
        for enterprise in cast.enterprises])

    assert sorted(status for status, _ in answers) == [201, 409], answers
    refused = next(body for status, body in answers if status == 409)
    # The second looked after the first had closed the subscription, not at a stale row.
    assert refused["message"] == "The project is not open for subscription."
    final = db.session.get(Project, project_id)
    assert final.state is State.TENDERING
    assert final.committed_fen == final.funding_target_fen
    assert ledger_verified(app)


def test_one_subscription_sent_twice_at_once_with_one_key_is_made_once(app, tmp_path) -> None:
    """A funder's system retried before the first answer came: the same Idempotency-Key from
    two workers at once makes one subscription, and both get its answer."""
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    project_id, committed = project.id, project.committed_fen
    enterprise = cast.enterprises[0]
    mine = (Subscription.project_id == project_id,
            Subscription.enterprise_id == enterprise.organization_id)
    before = set(db.session.execute(select(Subscription.id).where(*mine)).scalars())
    now = at(5)
    raw = token(enterprise, now)
    subscription = ("POST", f"/api/v1/projects/{project_id}/subscriptions",
                    {"amount_fen": 1_000_00})
    answers = race(app, tmp_path, now, [(raw, *subscription), (raw, *subscription)],
                   headers={"Idempotency-Key": "erp-4711"})

    assert [status for status, _ in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    made = set(db.session.execute(select(Subscription.id).where(*mine)).scalars()) - before
    assert made == {answers[0][1]["id"]}
    assert db.session.get(Project, project_id).committed_fen == committed + 1_000_00
    assert ledger_verified(app)


def test_one_evaluator_scoring_twice_at_once_gets_one_sheet_and_a_409(app, tmp_path) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    project_id, evaluator_id = project.id, cast.evaluators[0].id
    scores = {i.code: float(i.max_score) for i in project.indicator_set.indicators}
    now = at(60)
    raw = token(cast.evaluators[0], now)
    sheet = ("POST", f"/api/v1/projects/{project_id}/evaluations",
             {"no_conflict": True, "scores": scores})
    answers = race(app, tmp_path, now, [(raw, *sheet), (raw, *sheet)])

    assert sorted(status for status, _ in answers) == [201, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert refused["message"] == "You have already scored this round."
    sheets = db.session.execute(db.select(Evaluation).where(
        Evaluation.project_id == project_id, Evaluation.evaluator_id == evaluator_id)).all()
    assert len(sheets) == 1


@pytest.fixture
def impatient(app: Flask) -> Iterator[Flask]:
    """The app with a lock wait of a fifth of a second, so the test need not wait ten."""
    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                                "TESTING", "UPLOAD_FOLDER",
                                                "WTF_CSRF_ENABLED")}
    impatient = create_app({**config, "LOCK_WAIT_SECONDS": 0.2})
    yield impatient
    with impatient.app_context():
        db.engine.dispose()


def test_a_lock_held_too_long_answers_503_and_saves_nothing(app, impatient, tmp_path) -> None:
    cast = gen_cast()
    enterprise = cast.enterprises[0]
    gen_project(cast, State.UNFUNDED)
    credit = credit_fen(enterprise.organization_id)
    now = at(20)
    impatient.config["CLOCK"] = lambda: now
    headers = {"Authorization": f"Bearer {token(enterprise, now)}"}
    withdrawal = {"amount_fen": credit, "reason": "年终"}
    api, browser = impatient.test_client(), impatient.test_client()
    assert browser.post("/login", data={"email": enterprise.email,
                                        "password": PASSWORD}).status_code == 302
    db.session.commit()
    holder = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    organizations = Organization.__table__
    try:
        with holder.connect().execution_options(**{writelock.WRITE: True}) as other, \
                other.begin():
            # another writer holds the enterprise's row (PostgreSQL) or the database (SQLite)
            other.execute(select(organizations.c.id)
                          .where(organizations.c.id == enterprise.organization_id)
                          .with_for_update())
            busy = api.post("/api/v1/credit/withdrawals", headers=headers, json=withdrawal)
            assert busy.status_code == 503, busy.get_data(as_text=True)
            assert busy.json["error"] == "busy" and busy.headers["Retry-After"] == "5"
            page = browser.post("/enterprise/credit/withdraw?lang=en", data={
                "amount": f"{credit / 100:.2f}", "reason": "年终", "confirmed": "yes"})
            assert page.status_code == 409
            assert "nothing was saved. Try again shortly." in page.get_data(as_text=True)
        db.session.rollback()
        assert credit_fen(enterprise.organization_id) == credit
        again = api.post("/api/v1/credit/withdrawals", headers=headers, json=withdrawal)
        assert again.status_code == 201
    finally:
        holder.dispose()
