"""A page as it stood on a past day (issue 16, item 6).

One project is walked through its life by the real services on the test clock; after each
step the test saves what its public page said (the stepper's current stage, the hero's
figures and the money trail by their labels, the milestones, the stages list). At the end it
asks the page ``?as_of=`` each of those moments and expects the same.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from marketplace.clock import local_time
from marketplace.demo import DAY, HOUR, Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import DEFAULT_STANDSTILL_DAYS, State
from marketplace.models import AuditEvent, Project
from marketplace.services.core.moves import move
from marketplace.services.evaluation import panels
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.subscription import funding
from tests.factories import T0, gen_cast, gen_project, gen_station, services
from tests.web.figures import figures, table_rows
from tests.web.test_pagecache import cached  # noqa: F401 (a fixture)
from tests.web.test_project_hero import steps

STAGES = re.compile(r'<ol class="timeline">(.*?)</ol>', re.S)


def said(page: str) -> dict[str, Any]:
    """What a reader notices on the page: the stage, the figures by label, the milestones."""
    stepper = steps(page)
    current = [name for status, name in stepper if status in ("current", "exit")]
    assert len(current) <= 1, stepper  # none once completed: every stage done
    milestones = table_rows(page, "milestones") if 'id="milestones"' in page else []
    stages = " ".join(re.sub(r"<[^>]+>", " ", STAGES.search(page).group(1)).split())
    return {"stage": current[0] if current else "done", "stepper": stepper,
            "hero": figures(page, "hero-figures"), "money": figures(page, "money-trail"),
            "milestones": milestones, "stages": stages, "score": 'id="panel-score"' in page}


def station_said(page: str) -> dict[str, Any]:
    """The station page's projects (title, stage, raised / target) and its details."""
    return {"projects": table_rows(page, "station-projects"),
            "details": figures(page, "station-details")}


# What the API's detail says of the project, less what is not history: the caller's moves,
# the row's edit counter, and the as_of echo itself.
NOT_HISTORY = ("allowed_moves", "version", "as_of")


def detail(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key not in NOT_HISTORY}


def typed(moment: datetime) -> str:
    """A moment as a person types it: local time, no zone."""
    return local_time(moment, "%Y-%m-%dT%H:%M:%S")


def test_the_page_as_of_each_past_moment_says_what_it_said_then(app, client, clock) -> None:
    cast = gen_cast()
    station = gen_station(cast.community, decided_at=T0 - DAY)
    start = T0
    project = create_bundle(station.id, bundle_draft("助餐服务包", start, services()),
                            actor=cast.community, now=start)
    pid = project.id
    walk = Walk(cast, pid, start)
    history: list[tuple[datetime, dict[str, Any]]] = []
    answers: list[dict[str, Any]] = []  # the API's detail at each moment
    stations: list[dict[str, Any]] = []  # and the station's page

    def seen(moment: datetime) -> None:
        db.session.commit()
        clock(moment)
        page = client.get(f"/projects/{pid}")
        assert page.status_code == 200
        history.append((moment, said(page.get_data(as_text=True))))
        answers.append(detail(client.get(f"/api/v1/projects/{pid}").json))
        stations.append(station_said(client.get(f"/stations/{station.id}").get_data(
            as_text=True)))

    move(pid, "submit", actor=cast.community, now=start + HOUR)
    move(pid, "publish", actor=cast.admin, now=start + 2 * HOUR)
    seen(start + 2 * HOUR)
    move(pid, "open_subscription", actor="scheduler", now=start + 2 * DAY)
    seen(start + 2 * DAY)
    target = db.session.get(Project, pid).funding_target_fen
    funding.subscribe(pid, target // 3, actor=cast.enterprises[0], now=start + 3 * DAY)
    seen(start + 3 * DAY)
    funding.subscribe(pid, db.session.get(Project, pid).remaining_fen,
                      actor=cast.enterprises[1], now=start + 4 * DAY)
    seen(start + 4 * DAY)
    walk._bids(start + 10 * DAY, target)
    seen(start + 10 * DAY + HOUR)
    award_at = start + 31 * DAY
    move(pid, "award", actor=cast.community, now=award_at,
         bid_id=db.session.get(Project, pid).bids[0].id)
    seen(award_at)
    contract_at = award_at + timedelta(days=app.config.get("STANDSTILL_DAYS",
                                                           DEFAULT_STANDSTILL_DAYS))
    move(pid, "start_contract", actor="scheduler", now=contract_at)
    seen(contract_at)
    walk._deliver(contract_at, upto=1)
    seen(contract_at + 6 * DAY)
    walk._deliver(contract_at + 2 * DAY)  # the second: reported 7 days in, accepted 8
    seen(contract_at + 8 * DAY)
    move(pid, "submit_for_evaluation", actor=cast.community, now=contract_at + 10 * DAY)
    panels.assign_panel(pid, [e.id for e in cast.evaluators], actor=cast.admin,
                        now=contract_at + 10 * DAY + HOUR)
    seen(contract_at + 10 * DAY + HOUR)
    walk._evaluate(contract_at + 12 * DAY, share=Decimal("0.86"))
    seen(contract_at + 12 * DAY)
    move(pid, "close_out", actor=cast.evaluators[0], now=contract_at + 13 * DAY)
    seen(contract_at + 13 * DAY)

    stages = [state["stage"] for _, state in history]
    assert len(set(stages)) >= 5, stages  # the walk went through the stages
    assert history[0][1]["hero"] != history[-1][1]["hero"]  # and the money moved
    assert len({a["state"] for a in answers}) >= 5 and answers[0] != answers[-1]

    clock(award_at + 100 * DAY)
    for moment, then in history:
        page = client.get(f"/projects/{pid}?as_of={typed(moment)}")
        assert page.status_code == 200, moment
        html = page.get_data(as_text=True)
        assert said(html) == then, moment
        assert 'id="as-of-banner"' in html and local_time(moment) in html
    for (moment, _), then in zip(history, answers, strict=True):
        answer = client.get(f"/api/v1/projects/{pid}", query_string={"as_of": typed(moment)})
        assert answer.status_code == 200, moment
        assert answer.json["as_of"] == moment.isoformat() + "Z"
        assert answer.json["allowed_moves"] == []
        assert detail(answer.json) == then, moment
    for (moment, _), then in zip(history, stations, strict=True):
        page = client.get(f"/stations/{station.id}", query_string={"as_of": typed(moment)})
        assert page.status_code == 200, moment
        assert 'id="as-of-banner"' in page.get_data(as_text=True)
        assert station_said(page.get_data(as_text=True)) == then, moment
    assert len({str(s["projects"]) for s in stations}) >= 5
    before = client.get(f"/stations/{station.id}", query_string={"as_of": typed(T0 - 2 * DAY)})
    assert before.status_code == 404 and 'id="as-of-error"' in before.get_data(as_text=True)
    today = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert 'id="as-of-banner"' not in today and 'type="date"' in today
    assert said(today) == history[-1][1]


@pytest.fixture
def finished(app, clock) -> Project:
    project = gen_project(gen_cast(), State.COMPLETED)
    clock(T0 + 200 * DAY)
    return project


def test_a_date_shows_the_end_of_that_local_day(client, finished) -> None:
    """A bare date (the picker's value) is the page as that day ended."""
    day = local_time(T0 + 3 * DAY, "%Y-%m-%d")
    page = client.get(f"/projects/{finished.id}?as_of={day}").get_data(as_text=True)
    assert said(page)["stage"] == "项目认购"  # subscribed once by then, not yet full
    assert f'value="{day}"' in page
    assert "本页为" in page and "查看当前状态" in page  # the banner, in the reader's language
    banner = page.split('id="as-of-banner"', 1)[1].split("</p>", 1)[0]
    assert f"{day} 23:59" in banner  # the moment asked for, not the last change before it


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-02-30T25:00", "9" * 40,
                                   "2026-03-01T09:00+99:00", "0001-01-01T00:00", " "])
def test_a_bad_value_is_told_next_to_the_picker(client, finished, value) -> None:
    page = client.get(f"/projects/{finished.id}", query_string={"as_of": value})
    if not value.strip():
        assert page.status_code == 200  # an empty picker sent: today's page
        return
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'id="as-of-error"' in html and 'id="as-of-banner"' not in html


def test_before_the_project_was_public_is_a_404_with_a_message(client, finished) -> None:
    before = typed(T0 - DAY)
    page = client.get(f"/projects/{finished.id}?as_of={before}")
    assert page.status_code == 404
    assert 'id="as-of-error"' in page.get_data(as_text=True)
    packaging = typed(T0 + HOUR + timedelta(minutes=30))  # submitted, not yet published
    assert client.get(f"/projects/{finished.id}?as_of={packaging}").status_code == 404


def test_a_day_to_come_shows_today_and_says_so(client, finished) -> None:
    assert client.get(f"/projects/{finished.id}?as_of=9999-12-31").status_code == 200
    page = client.get(f"/projects/{finished.id}?as_of=2099-01-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="as-of-hint"' in html and 'id="as-of-banner"' not in html
    assert said(html) == said(client.get(f"/projects/{finished.id}").get_data(as_text=True))


def test_the_api_names_the_field_it_refuses(client, finished) -> None:
    bad = client.get(f"/api/v1/projects/{finished.id}?as_of=someday")
    assert bad.status_code == 400 and bad.json["field"] == "as_of"
    early = client.get(f"/api/v1/projects/{finished.id}?as_of={typed(T0 - DAY)}")
    assert early.status_code == 404 and early.json["field"] == "as_of"
    later = client.get(f"/api/v1/projects/{finished.id}?as_of=2099-01-01").json
    assert later["as_of"] is None and later["state"] == "completed"


def test_the_page_cache_keeps_each_moment_apart(cached) -> None:  # noqa: F811
    """The cache is keyed by the whole URL: a page as of a past day is never served as today's,
    nor today's as a past day's."""
    on, _ = cached
    on.config["CLOCK"] = lambda: T0 + 200 * DAY
    project = gen_project(gen_cast(), State.COMPLETED)
    visitor = on.test_client()
    today = visitor.get(f"/projects/{project.id}")
    assert today.headers["X-Public-Cache"] == "miss"
    past = visitor.get(f"/projects/{project.id}?as_of={typed(T0 + 3 * DAY)}")
    assert past.headers["X-Public-Cache"] == "miss"
    assert 'id="as-of-banner"' in past.get_data(as_text=True)
    assert 'id="as-of-banner"' not in visitor.get(f"/projects/{project.id}").get_data(
        as_text=True)
    again = visitor.get(f"/projects/{project.id}?as_of={typed(T0 + 3 * DAY)}")
    assert again.headers["X-Public-Cache"] == "hit"
    assert said(again.get_data(as_text=True)) == said(past.get_data(as_text=True))


@pytest.mark.parametrize("state", [State.UNFUNDED, State.CANCELLED, State.TERMINATED])
def test_every_moment_of_an_exit_shows_the_stage_it_was_in(app, client, clock, state) -> None:
    """Each event of a project that left by an exit (the terminated one was returned for
    rectification first): the page then names the stage the event left it in."""
    project = gen_project(gen_cast(), state)
    clock(T0 + 300 * DAY)
    events = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.project_id == project.id).order_by(AuditEvent.id)).scalars().all()
    published = False
    for event in events:
        published = published or event.trigger == "publish"
        page = client.get(f"/projects/{project.id}?as_of={typed(event.at)}&lang=en")
        if not published:
            assert page.status_code == 404, event.trigger
            continue
        assert page.status_code == 200, event.trigger
        html = page.get_data(as_text=True)
        stage = [name for status, name in steps(html) if status in ("current", "exit")]
        shown = re.search(r'<span class="stage stage-(\w+)">', html).group(1)
        # The trail up to a moment is the chain's prefix recorded by then (as the releases
        # cut it); an event stamped before one recorded ahead of it (the demo walk's, issue
        # 16 item 7) is not yet in it, and the last event of the prefix names the stage.
        cut = next((n for n, e in enumerate(events) if e.at > event.at), len(events))
        assert shown == events[cut - 1].to_state, event.trigger
        assert len(stage) <= 1
    assert client.get(f"/api/v1/projects/{project.id}?as_of={typed(events[-1].at)}"
                      ).json["state"] == state.value
