"""Anonymous public reads go to the read-only URL; every write and every signed-in page to the
primary. The read URL here is the same database opened read-only, so a write that reached it
would fail the request, and each engine's statements are counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError

from marketplace import create_app
from marketplace.extensions import READ_BIND, db
from marketplace.lifecycle import State
from tests.factories import PASSWORD, at, gen_cast, gen_project
from tests.web.conftest import Auth

NOW = at(5)
WRITES = ("insert", "update", "delete", "create", "drop", "alter")


def _read_only(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return parsed.update_query_dict(
        {"options": "-c default_transaction_read_only=on"}).render_as_string(hide_password=False)


@pytest.fixture
def replicated(_schema, app, tmp_path) -> Iterator[tuple[Flask, dict[str, list[str]]]]:  # noqa: ANN001
    """An app whose read URL is the test database opened read-only, with the statements each
    engine ran (the outer ``app`` fixture empties the tables afterwards)."""
    url = str(_schema["SQLALCHEMY_DATABASE_URI"])
    other = create_app({**_schema, "READ_DATABASE_URL": _read_only(url),
                        "UPLOAD_FOLDER": str(tmp_path / "uploads"), "CLOCK": lambda: NOW})
    seen: dict[str, list[str]] = {"primary": [], "replica": []}
    with other.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines[READ_BIND]}
        listeners = []
        for name, engine in engines.items():
            def count(_conn, _cursor, statement, *_args, name=name):  # noqa: ANN001, ANN202
                seen[name].append(statement)
            event.listen(engine, "before_cursor_execute", count)
            listeners.append((engine, count))
        yield other, seen
        for engine, count in listeners:
            event.remove(engine, "before_cursor_execute", count)
        db.session.remove()
        for engine in engines.values():
            engine.dispose()


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().lower().startswith(WRITES)]


def test_the_read_url_really_refuses_writes(replicated) -> None:
    other, _seen = replicated
    with other.app_context(), pytest.raises(DBAPIError):
        with db.engines[READ_BIND].begin() as connection:
            connection.execute(text("UPDATE accounts SET name = name"))


def test_anonymous_public_reads_come_from_the_replica_and_nothing_writes_there(
        replicated) -> None:
    other, seen = replicated
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    db.session.commit()
    client = other.test_client()
    pid, sid = project.id, project.station_id
    seen["primary"].clear()
    for url in ("/", "/stations", f"/projects/{pid}", f"/stations/{sid}", "/fund", "/policy",
                "/open-data", "/api/v1/projects", f"/api/v1/projects/{pid}",
                f"/api/v1/projects/{pid}/ocds"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert seen["replica"], "the public pages read nothing from the replica"
    assert seen["primary"] == []
    assert _writes(seen["replica"]) == []


def test_signed_in_pages_writes_and_tokens_use_the_primary(replicated) -> None:
    other, seen = replicated
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    db.session.commit()
    client = other.test_client()
    seen["replica"].clear()
    enterprise = cast.enterprises[0]
    assert Auth(client).login(enterprise).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(f"/projects/{project.id}").status_code == 200
    subscribed = client.post(f"/enterprise/projects/{project.id}/subscribe",
                             data={"amount": "100", "confirmed": "yes"})
    assert subscribed.status_code == 302
    Auth(client).logout()
    token = client.post("/api/v1/tokens", json={"email": enterprise.email,
                                                "password": PASSWORD}).json["token"]
    mine = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200
    assert 10_000 in [s["amount_fen"] for s in mine.json["subscriptions"]]  # read its own write
    assert seen["replica"] == []
    assert _writes(seen["primary"])  # the subscription was written, on the primary
