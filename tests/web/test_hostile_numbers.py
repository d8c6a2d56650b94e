"""The attacks of issue 12 (8.), replayed as they were sent: every one is a clear 4xx naming
the field or rule, and nothing is written.

Five causes made 42 server errors: JSON nested deeper than the parser's recursion, integers past
64 bits reaching the database (path, body or query), a product of two allowed integers past
64 bits (``quantity × unit cost``), Python's limit on digits in an int read from a string (it
made a 5,000-digit ``amount_fen`` "not a JSON object"), and CR/LF in a redirect's ``next``.
Each JSON route is found in ``app.url_map`` and given the hostile values in each of the fields
its OpenAPI document names, as each role.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.web.api import PREFIX
from tests.factories import PASSWORD, gen_cast, gen_project

# JSON number tokens as an attacker typed them: past 64 bits either way, past Python's
# 4,300-digit limit for int("…"), a float past the largest double, the largest 64-bit integer
# (past every column and product limit). Each must be refused, with nothing written.
ATTACKS = (str(2**70), str(-(2**70)), "9" * 5000, "1e400", str(2**63 - 1))
# The API's own largest count and sum: allowed one by one, but their product (quantity × unit
# cost) is past 64 bits. These may succeed; they must never be a server error.
LIMITS = ("10000000", "10000000000000")
SLOT = "@number@"


def _counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables}


def _fill(schema: dict[str, Any], number: Any) -> Any:
    """A body in the operation's own shape with ``number`` in every integer it has."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties") or {"code": schema.get("additionalProperties", {})}
        return {name: _fill(sub, number) for name, sub in props.items()}
    if kind == "array":
        return [_fill(schema.get("items", {}), number)]
    if kind in ("integer", "number"):
        return number
    return {"boolean": True, "string": "x"}.get(kind, "x")


def _raw(schema: dict[str, Any], number: str) -> str:
    """The operation's body with the number token typed into every numeric field."""
    return json.dumps(_fill(schema, SLOT)).replace(f'"{SLOT}"', number)


DEEP = ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "[" * 40 + "]" * 40]


def _json_routes(app: Flask, spec: dict[str, Any], ids: dict[str, int]) -> list[tuple[str, dict]]:
    """Every JSON route that takes a body, with real ids filled in, and its request schema."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or not rule.methods & {"POST", "DELETE", "PUT"}:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
        for method in sorted(rule.methods & {"POST", "DELETE", "PUT"}):
            operation = spec["paths"][path][method.lower()]
            media = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in media and media:
                continue  # the evidence upload is multipart
            schema = media.get("application/json", {}).get("schema")  # None: it takes no body
            for trigger in (("submit", "award", "close_subscription", "approve")
                            if "{trigger}" in path else ("",)):
                url = PREFIX + path.format(trigger=trigger, **ids)
                routes.append((method, url, schema))
    return routes


@pytest.fixture
def world(app: Flask):  # noqa: ANN201
    cast = gen_cast()
    projects = {state: gen_project(cast, state) for state in
                (State.SUBSCRIPTION, State.TENDERING, State.IMPLEMENTATION, State.EVALUATION)}
    return cast, projects


def _bearers(client: FlaskClient, cast) -> list[dict[str, str]]:  # noqa: ANN001
    people = (cast.community, cast.admin, cast.enterprises[0], cast.ngos[0], cast.evaluators[0])
    headers = []
    for person in people:
        answer = client.post("/api/v1/tokens", json={"email": person.email, "password": PASSWORD})
        headers.append({"Authorization": f"Bearer {answer.json['token']}"})
    return headers


def _numeric(schema: dict[str, Any] | None) -> bool:
    return schema is not None and SLOT in json.dumps(_fill(schema, SLOT))


def _replay(app: Flask, client: FlaskClient, world, numbers: tuple[str, ...], *,  # noqa: ANN001
            deep: bool) -> list[tuple[str, str, str, int]]:
    """Send each body to each JSON route as each role; the answers that were not a JSON 4xx."""
    cast, projects = world
    app.config["CLOCK"] = lambda: projects[State.SUBSCRIPTION].subscription_opens_at
    spec = client.get("/api/v1/openapi.json").json
    bearers = _bearers(client, cast)
    wrong = []
    for project in projects.values():
        ids = {"project_id": project.id, "complaint_id": 1, "question_id": 1,
               "notification_id": 1, "station_id": project.station_id,
               "milestone_id": project.milestones[0].id if project.milestones else 1}
        for method, url, schema in _json_routes(app, spec, ids):
            bodies = [*(DEEP if deep else ()),
                      *(_raw(schema, n) for n in numbers if _numeric(schema))]
            for headers in bearers:
                for raw in bodies:
                    answer = client.open(url, method=method, data=raw, headers=headers,
                                         content_type="application/json")
                    if not 400 <= answer.status_code < 500 or answer.json is None:
                        wrong.append((method, url, raw[:60], answer.status_code))
    return wrong


def test_hostile_json_on_every_route_is_a_4xx_and_writes_nothing(app, client, world) -> None:
    before = _counts()
    assert _replay(app, client, world, ATTACKS, deep=True) == []
    after = _counts()
    assert after.pop("api_tokens") == before.pop("api_tokens") + 5  # the replay's own log-ins
    assert after == before


def test_the_largest_allowed_numbers_are_never_a_server_error(app, client, world) -> None:
    wrong = _replay(app, client, world, LIMITS, deep=False)
    assert [w for w in wrong if w[3] >= 500] == []


def test_quantity_times_unit_cost_past_the_limit_is_refused_by_field(client, world) -> None:
    from tests.web.api.helpers import bundle_body

    cast, projects = world
    headers = _bearers(client, cast)[0]
    station = projects[State.SUBSCRIPTION].station_id
    before = _counts()
    body = bundle_body(station)
    body["items"][0].update(quantity=10**7, unit_cost_fen=10**13)
    answer = client.post("/api/v1/projects", json=body, headers=headers)
    assert answer.status_code == 400 and answer.json["field"] == "items", answer.json
    assert _counts() == before


def test_a_5000_digit_amount_is_a_field_error_not_a_bad_body(client, world) -> None:
    cast, projects = world
    headers = _bearers(client, cast)[2]
    before = _counts()
    answer = client.post(f"/api/v1/projects/{projects[State.SUBSCRIPTION].id}/subscriptions",
                         data='{"amount_fen": ' + "9" * 5000 + "}", headers=headers,
                         content_type="application/json")
    assert answer.status_code == 400 and answer.json["field"] == "amount_fen"
    assert answer.json["error"] == "invalid"
    assert "must be a whole number" in answer.json["message"]
    assert _counts() == before


def test_nesting_is_refused_naming_the_rule(client) -> None:
    answer = client.post("/api/v1/tokens", data="[" * 100_000 + "]" * 100_000,
                         content_type="application/json")
    assert answer.status_code == 400 and "nested deeper than" in answer.json["message"]


@pytest.mark.parametrize("url", ["/?page=9223372036854775807", "/?page=" + "9" * 400,
                                 "/api/v1/projects?page=9223372036854775807",
                                 "/api/v1/projects?per_page=" + "9" * 5000])
def test_a_page_number_past_any_page_is_a_400(client, url) -> None:
    answer = client.get(url)
    assert answer.status_code == 400
