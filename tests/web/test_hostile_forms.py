"""Numbers no column can hold, typed into every field of every form a role is shown: a page
that names the field (or a 4xx), never a server error, and nothing written.

The forms are found as a user finds them: every page of ``app.url_map`` is opened as each role
(ids filled with real rows) and each ``<form method="post">`` on it is sent back with the
hostile number in every field. ``/community/bundles/new`` with a 400-digit quantity was one of
issue 12's server errors; ``?page=`` past 64 bits was another.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.lifecycle import State
from tests.factories import PASSWORD, at, gen_cast, gen_project

NUMBERS = ("4" * 400, str(2**70), "9" * 5000, str(2**63), "-" + str(2**63 + 1))
FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"')
NAME = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', re.I)
NUMERIC = re.compile(r'type="number"|inputmode="(?:decimal|numeric)"')
SKIP = {"/logout"}


def _counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables}


def _pages(app: Flask, project_ids: list[int]) -> list[str]:
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")) or \
                rule.endpoint.startswith(("i18n.", "health.")):
            continue
        if "<" not in rule.rule:
            urls.add(rule.rule)
            continue
        if re.search(r"<(?!int:)", rule.rule):
            continue
        for project_id in project_ids:
            urls.add(re.sub(r"<int:(\w+)>", lambda m, p=project_id: str(
                p if m[1] == "project_id" else 1), rule.rule))
    return sorted(urls)


def _forms(page: str, url: str) -> dict[str, tuple[list[str], bool]]:
    """Each form's action, its fields, and whether one of them takes a number."""
    found = {}
    for match in FORM.finditer(page):
        whole = match.group(0)
        action = ACTION.search(whole[:whole.index(">") + 1])
        target = (action[1] if action else url).replace("&amp;", "&")
        names = [n for n in NAME.findall(match[1]) if n != "csrf_token"]
        if target not in SKIP and names:
            found[target] = (names, bool(NUMERIC.search(match[1])))
    return found


@pytest.fixture
def world(app: Flask):  # noqa: ANN201
    cast = gen_cast()
    ids = [gen_project(cast, state).id for state in
           (State.PACKAGING, State.SUBSCRIPTION, State.TENDERING, State.IMPLEMENTATION,
            State.EVALUATION)]
    return cast, ids


def test_every_form_refuses_numbers_past_any_column(app, world) -> None:
    cast, ids = world
    app.config["CLOCK"] = lambda: at(20)  # the tender open: the bid form is shown too
    people = (cast.community, cast.admin, cast.enterprises[0], cast.ngos[0], cast.evaluators[0])
    wrong, written, sent = [], [], 0
    for person in people:
        client = app.test_client()
        client.post("/login", data={"email": person.email, "password": PASSWORD})
        forms: dict[str, tuple[list[str], bool]] = {}
        for url in _pages(app, ids):
            answer = client.get(url)
            if answer.status_code == 200 and answer.mimetype == "text/html":
                forms.update(_forms(answer.get_data(as_text=True), url))
        for action, (names, numeric) in forms.items():
            for number in NUMBERS:
                before = _counts()
                answer = client.post(action, data=dict.fromkeys(names, number))
                sent += 1
                if answer.status_code >= 500:
                    wrong.append((person.role.value, action, number[:12], answer.status_code))
                # A form of buttons only (submit, cancel) may well do its job: only a form
                # asking for a number must refuse and write nothing.
                if numeric and _counts() != before:
                    written.append((person.role.value, action, number[:12]))
    assert sent > 100  # the crawl found the forms
    assert wrong == []
    assert written == []


def test_a_400_digit_quantity_on_the_bundle_page_is_shown_next_to_the_field(app, client,
                                                                             world) -> None:
    from tests.factories import gen_station, services

    cast, _ids = world
    station = gen_station(cast.community)
    client.post("/login", data={"email": cast.community.email, "password": PASSWORD})
    before = _counts()
    answer = client.post("/community/bundles/new?lang=en", data={
        "station": station.id, "title": "助餐", "items-0-service": services(1)[0].code,
        "items-0-quantity": "4" * 400, "items-0-unit_cost": "50", "target": "500",
        "minimum": "250", "subscription_opens_at": "2026-03-03",
        "subscription_closes_at": "2026-03-17", "tender_closes_at": "2026-03-31"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="items-0-quantity-error"' in page and "The number is too large." in page
    assert _counts() == before
