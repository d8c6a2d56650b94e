"""HTTP caching: a public answer carries a tag of what it said; a copy still true is answered 304
(without drawing the page when nothing was committed meanwhile), one made untrue by any change
(data, language, the clock, the account) is answered afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.services.subscription import funding
from tests.factories import PASSWORD, at, gen_cast, gen_project

NOW = at(5)
PUBLIC = ("/", "/stations", "/fund", "/policy", "/open-data", "/api/v1/projects")


@pytest.fixture
def world(app, clock):  # noqa: ANN001, ANN201
    clock(NOW)
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    db.session.commit()
    return cast, project


def _again(client, url: str, tag: str):  # noqa: ANN001, ANN202
    return client.get(url, headers={"If-None-Match": f'"{tag}"'})


@pytest.mark.parametrize("url", PUBLIC)
def test_a_public_answer_is_tagged_and_a_copy_still_true_is_not_sent_again(client, world,
                                                                           url) -> None:
    first = client.get(url)
    assert first.status_code == 200
    tag, weak = first.get_etag()
    assert tag and not weak
    assert first.headers["Cache-Control"] == "public, max-age=5"
    assert "Cookie" in first.headers["Vary"]
    again = _again(client, url, tag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.get_etag()[0] == tag
    assert again.headers["Cache-Control"] == "public, max-age=5"
    weakened = client.get(url, headers={"If-None-Match": f'W/"{tag}"'})  # a proxy's gzip
    assert weakened.status_code == 304


def test_the_project_page_is_tagged_too_and_its_tag_follows_the_page(client, world) -> None:
    _cast, project = world
    url = f"/projects/{project.id}"
    tag = client.get(url).get_etag()[0]
    assert _again(client, url, tag).status_code == 304
    other = client.get(f"{url}?x=1").get_etag()[0]  # another URL says something else
    assert other != tag


def test_any_commit_makes_the_tag_untrue(client, world) -> None:
    cast, project = world
    first = client.get("/")
    tag = first.get_etag()[0]
    funding.subscribe(project.id, 10_000, actor=cast.enterprises[0], now=NOW)
    fresh = _again(client, "/", tag)
    assert fresh.status_code == 200
    assert fresh.get_etag()[0] != tag
    assert fresh.get_data() != first.get_data()  # the raised figure moved


def test_an_unchanged_database_answers_304_without_drawing_the_page(app, client, world) -> None:
    """One statement (the database's version) instead of the page. On PostgreSQL a commit
    anywhere on the server (another test worker's) changes the version: the page is then drawn
    and still answered 304, so the try is repeated until one pair of requests met no commit."""
    tag = client.get("/").get_etag()[0]
    statements: list[str] = []

    def count(*_args) -> None:  # noqa: ANN002
        statements.append("")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        cheap = []
        for _ in range(50 if db.engine.dialect.name == "postgresql" else 1):
            statements.clear()
            again = _again(client, "/", tag)
            assert again.status_code == 304
            cheap.append(len(statements))
            if len(statements) == 1:
                break
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert 1 in cheap, cheap


def test_the_clock_and_the_language_are_part_of_what_was_said(client, world, clock) -> None:
    tag = client.get("/").get_etag()[0]
    clock(NOW + timedelta(days=2))  # days left on the cards moved with the clock
    later = _again(client, "/", tag)
    assert later.status_code == 200
    assert later.get_etag()[0] != tag
    chosen = client.get("/?lang=en")  # the choice is saved in the session: not shared
    assert chosen.headers["Cache-Control"] == "private, no-cache"
    assert chosen.get_etag()[0] is None
    english = client.get("/")  # a visitor reading in English, with the language cookie
    assert english.get_etag()[0] not in (None, tag, later.get_etag()[0])
    assert "Cookie" in english.headers["Vary"]


def test_signed_in_pages_and_token_requests_are_private(client, world, auth) -> None:
    cast, _project = world
    tag = client.get("/").get_etag()[0]
    auth.login(cast.enterprises[0])
    mine = _again(client, "/", tag)
    assert mine.status_code == 200
    assert mine.get_etag()[0] is None
    assert mine.headers["Cache-Control"] == "private, no-cache"
    assert client.get("/enterprise/portfolio").headers["Cache-Control"] == "private, no-cache"
    auth.logout()
    api_tag = client.get("/api/v1/projects").get_etag()[0]
    token = client.post("/api/v1/tokens", json={"email": cast.enterprises[0].email,
                                                "password": PASSWORD}).json["token"]
    bearer = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}",
                                                     "If-None-Match": f'"{api_tag}"'})
    assert bearer.status_code == 200
    assert bearer.headers["Cache-Control"] == "private, no-cache"


def test_a_page_with_a_message_waiting_is_not_shared(client, world) -> None:
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Welcome")]
    shown = client.get("/")
    assert shown.get_etag()[0] is None
    assert shown.headers["Cache-Control"] == "private, no-cache"
