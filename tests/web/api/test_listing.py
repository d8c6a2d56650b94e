"""The project listing: public stages only, filters, pagination, and no query per project."""

from __future__ import annotations

from sqlalchemy import event

from marketplace.extensions import db
from marketplace.lifecycle import State
from tests.factories import gen_project


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [p["id"] for p in response.json["projects"]]


def test_packaging_bundles_are_listed_only_for_their_community(client, cast, auth) -> None:
    packaging = gen_project(cast)
    published = gen_project(cast, State.PUBLICATION)
    assert _ids(client.get("/api/v1/projects")) == [published.id]
    assert set(_ids(client.get("/api/v1/projects", headers=auth(cast.community)))) == {
        packaging.id, published.id}
    assert _ids(client.get("/api/v1/projects", headers=auth(cast.enterprises[0]))) == [
        published.id]


def test_the_total_is_the_callers_and_follows_every_write(client, cast, auth) -> None:
    gen_project(cast)
    gen_project(cast, State.PUBLICATION)
    community = auth(cast.community)
    for _ in range(2):  # the second time from what the worker kept: still each caller's own
        assert client.get("/api/v1/projects").json["total"] == 1
        assert client.get("/api/v1/projects", headers=community).json["total"] == 2
    gen_project(cast, State.SUBSCRIPTION)
    assert client.get("/api/v1/projects").json["total"] == 2
    assert client.get("/api/v1/projects", headers=community).json["total"] == 3


def test_filters_and_pagination(client, cast) -> None:
    subscription = gen_project(cast, State.SUBSCRIPTION)
    published = gen_project(cast, State.PUBLICATION)
    assert _ids(client.get("/api/v1/projects?state=subscription")) == [subscription.id]
    assert _ids(client.get("/api/v1/projects?county=鹿城区&state=publication")) == [
        published.id]
    assert _ids(client.get("/api/v1/projects?county=泰顺县")) == []
    area = published.items[0].service.area_code
    assert set(_ids(client.get(f"/api/v1/projects?area={area}"))) == {
        subscription.id, published.id}
    assert _ids(client.get("/api/v1/projects?area=nowhere")) == []
    group = published.groups[0].code
    assert len(_ids(client.get(f"/api/v1/projects?group={group}"))) == 2
    assert len(_ids(client.get("/api/v1/projects?q=助餐"))) == 2
    assert _ids(client.get("/api/v1/projects?q=nothing")) == []
    page = client.get("/api/v1/projects?per_page=1&page=2").json
    assert page["total"] == 2 and len(page["projects"]) == 1
    for bad in ("state=flying", "per_page=1000", "page=0", "page=x"):
        response = client.get(f"/api/v1/projects?{bad}")
        assert response.status_code == 400 and response.json["error"] == "invalid"


def test_listing_does_not_query_once_per_project(client, cast) -> None:
    for _ in range(4):
        gen_project(cast, State.PUBLICATION)
    client.get("/api/v1/projects")  # the total is kept from here on: both pages count alike
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731

    def counted(url: str) -> tuple[int, int]:
        statements.clear()
        shown = len(client.get(url).json["projects"])
        return shown, len(statements)

    # On PostgreSQL a commit anywhere on the server (another test worker's) makes the kept
    # total be read again: the fewest statements of a few tries is the page's own count.
    tries = 10 if db.engine.dialect.name == "postgresql" else 1
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        few, count_one = min(counted("/api/v1/projects?per_page=1") for _ in range(tries))
        many, count_many = min(counted("/api/v1/projects") for _ in range(tries))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert (few, many) == (1, 4)
    assert count_many == count_one
