"""Queries per page are bounded: three times the rows must not mean more SQL statements.

A page that loads a relation per row (N+1) gets slower with every project a city adds; these
tests seed N rows, count the statements of each main page and API list, seed 2N more and count
again.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta
from typing import Any

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event

from marketplace.demo import Cast
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Role, Station
from marketplace.services.tendering import tender
from tests.factories import PASSWORD, T0, at, gen_account, gen_cast, gen_project, gen_station

STATES = (State.PACKAGING, State.SUBSCRIPTION, State.TENDERING, State.IMPLEMENTATION,
          State.EVALUATION, State.COMPLETED)
N = len(STATES)


class World:
    """One community's station with projects in every stage, and one tender many bid on."""

    def __init__(self) -> None:
        cast = gen_cast()
        self.cast_ids = [_ids(getattr(cast, f.name)) for f in fields(Cast)]
        self.emails = {"community": cast.community.email, "admin": cast.admin.email,
                       "enterprise": cast.enterprises[0].email,
                       "ngo": cast.ngos[0].email, "evaluator": cast.evaluators[0].email}
        self.station = gen_station(cast.community).id
        self.focus = gen_project(cast, State.TENDERING,
                                 station=db.session.get(Station, self.station)).id
        self.grown = 0

    def grow(self, n: int) -> None:
        """Add n projects and n bids on the focus tender (the session may have been reset)."""
        cast = Cast(*(_reload(ids) for ids in self.cast_ids))
        station = db.session.get(Station, self.station)
        for i in range(self.grown, self.grown + n):
            gen_project(cast, STATES[i % N], station=station,
                        start=T0 + timedelta(hours=i))
            ngo = gen_account(Role.SOCIAL_ORG)
            tender.submit_bid(self.focus, actor=ngo, price_fen=100_000 + i,
                              delivery_plan="入户服务", team="社工 1 名", now=at(12))
        self.grown += n


def _ids(value: Any) -> Any:
    return tuple(_ids(v) for v in value) if isinstance(value, tuple) else value.id


def _reload(ids: Any) -> Any:
    if isinstance(ids, tuple):
        return tuple(_reload(i) for i in ids)
    return db.session.get(Account, ids)


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_args: object) -> None:
        self.statements += 1


def _count(client: FlaskClient, url: str, headers: dict[str, str] | None = None) -> int:
    """Statements run by one GET, starting like a fresh request: empty identity map, no user.

    On PostgreSQL a commit anywhere on the server (another test worker's) makes the kept
    aggregates be read again; the fewest of a few tries is the page's own count."""
    counts = []
    for _ in range(5 if db.engine.dialect.name == "postgresql" else 1):
        db.session.remove()
        g.pop("_login_user", None)  # the tests' app context outlives requests; a worker's not
        counter = Counter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            response = client.get(url, headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(counter.statements)
    return min(counts)


def _login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def _api(client: FlaskClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


PAGES = {
    "public listing": (None, "/"),
    "station directory": (None, "/stations"),
    "project page": (None, "/projects/{focus}"),
    "community home": ("community", "/community/"),
    "community bid table": ("community", "/community/projects/{focus}"),
    "enterprise portfolio": ("enterprise", "/enterprise/"),
    "social organization tenders": ("ngo", "/ngo/"),
    "evaluator home": ("evaluator", "/evaluator/"),
    "administrator home": ("admin", "/admin/"),
}
API = {
    "api projects": (None, "/api/v1/projects?per_page=100"),
    "api events": (None, "/api/v1/projects/{focus}/events"),
    "api bids": ("community", "/api/v1/projects/{focus}/bids"),
}


def test_queries_per_page_do_not_grow_with_rows(app: Flask) -> None:
    app.config["CLOCK"] = lambda: at(31)  # the focus tender has closed: its bids are open
    app.config["API_TOKEN_TTL_HOURS"] = 24 * 365
    world = World()
    visits = []
    for name, (role, url) in {**PAGES, **API}.items():
        client, email = app.test_client(), world.emails.get(role or "")
        headers = _api(client, email) if email and url.startswith("/api/") else None
        if email and headers is None:
            _login(client, email)
        if headers:  # a token's first call records its use: once per token, not per row
            client.get(url.format(focus=world.focus), headers=headers)
        visits.append((name, client, url.format(focus=world.focus), headers))

    world.grow(N)
    few = {name: _count(client, url, headers) for name, client, url, headers in visits}
    world.grow(2 * N)
    many = {name: _count(client, url, headers) for name, client, url, headers in visits}
    grew = {name: (few[name], many[name]) for name in few if many[name] != few[name]}
    assert not grew, f"statements with {N} and with {3 * N} rows: {grew}"
