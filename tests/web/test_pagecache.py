"""The public page cache (issue 7) is off unless configured; on, anonymous visitors may see a
listing, project page or API list up to its age, and nobody else ever gets a cached answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask

from marketplace import create_app
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from tests.factories import PASSWORD, gen_cast, gen_project


def _rename(project_id: int, title: str) -> None:
    db.session.get(Project, project_id).title = title
    db.session.commit()


def _text(response) -> str:  # noqa: ANN001
    """What the visitor reads: the page, or the API's JSON with its Chinese unescaped."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def _pages(project_id: int) -> tuple[str, ...]:
    return ("/", f"/projects/{project_id}", "/api/v1/projects")


def test_off_by_default_every_visit_sees_the_change_at_once(app: Flask, client) -> None:
    assert not app.config["PUBLIC_CACHE_SECONDS"]
    project = gen_project(gen_cast(), State.SUBSCRIPTION)
    for path in _pages(project.id):
        assert "助餐服务包" in _text(client.get(path))
    _rename(project.id, "改名后的服务包")
    for path in _pages(project.id):
        response = client.get(path)
        assert "改名后的服务包" in _text(response), path
        assert "X-Public-Cache" not in response.headers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cached(app: Flask) -> Iterator[tuple[Flask, Clock]]:
    """A second app on the same database with the cache on for 30 seconds."""
    on = create_app({**app.config, "PUBLIC_CACHE_SECONDS": 30})
    clock = Clock()
    on.extensions["public_cache"].clock = clock
    with on.app_context():
        yield on, clock
        db.session.remove()
        db.engine.dispose()


def test_anonymous_pages_are_served_from_memory_until_they_expire(cached) -> None:
    on, clock = cached
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    visitor = on.test_client()
    for path in _pages(project.id):
        first = visitor.get(path)
        assert first.headers["X-Public-Cache"] == "miss"
        assert "助餐服务包" in _text(first)
    _rename(project.id, "改名后的服务包")
    clock.now += 29
    for path in _pages(project.id):
        again = visitor.get(path)
        assert again.headers["X-Public-Cache"] == "hit", path
        assert "助餐服务包" in _text(again)
        assert "改名后的服务包" not in _text(again)
        assert again.headers["Content-Security-Policy"]  # security headers still on hits
    clock.now += 2
    for path in _pages(project.id):
        assert "改名后的服务包" in _text(visitor.get(path)), path

    # A signed-in user, a visitor with a language cookie, and a bearer token never get the
    # cached copy.
    _rename(project.id, "第三个名字")
    member = on.test_client()
    member.post("/login", data={"email": cast.enterprises[0].email, "password": PASSWORD})
    assert "第三个名字" in _text(member.get("/"))
    english = on.test_client()
    english.get("/lang/en")
    assert "第三个名字" in _text(english.get(f"/projects/{project.id}"))
    assert visitor.get("/api/v1/projects",  # checked, not answered from the cached 200
                       headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert "第三个名字" not in _text(visitor.get("/"))  # still cached


def test_only_successful_pages_are_kept(cached) -> None:
    on, _ = cached
    visitor = on.test_client()
    assert visitor.get("/projects/999999").status_code == 404
    project = gen_project(gen_cast(), State.SUBSCRIPTION)
    assert "/projects/999999" not in on.extensions["public_cache"].pages
    assert visitor.get(f"/projects/{project.id}").headers["X-Public-Cache"] == "miss"
