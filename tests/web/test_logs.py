"""One log line per request, as JSON when asked, carrying the request id back to the caller."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest

from marketplace.models import Role
from tests.factories import PASSWORD, gen_account


@pytest.fixture
def last_line(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """The access log's latest line (the logger does not propagate, so caplog listens on it)."""
    access = logging.getLogger("marketplace.access")
    access.addHandler(caplog.handler)
    yield lambda: caplog.records[-1].getMessage()
    access.removeHandler(caplog.handler)


def test_json_line_has_request_id_method_path_status_duration(app, client, last_line) -> None:
    app.config["LOG_FORMAT"] = "json"
    response = client.get("/healthz", headers={"X-Request-ID": "lb-42"})
    assert response.headers["X-Request-ID"] == "lb-42"
    line = json.loads(last_line())
    assert line["request_id"] == "lb-42" and line["method"] == "GET"
    assert line["path"] == "/healthz" and line["status"] == 200
    assert line["duration_ms"] >= 0 and line["account_id"] is None


def test_json_line_names_the_signed_in_account(app, client, last_line) -> None:
    app.config["LOG_FORMAT"] = "json"
    account = gen_account(Role.ENTERPRISE)
    client.post("/login", data={"email": account.email, "password": PASSWORD})
    client.get("/enterprise/")
    assert json.loads(last_line())["account_id"] == account.id
    token = client.post("/api/v1/tokens", json={"email": account.email, "password": PASSWORD})
    client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert json.loads(last_line())["account_id"] == account.id


def test_forged_request_id_is_replaced(app, client, last_line) -> None:
    app.config["LOG_FORMAT"] = "json"
    response = client.get("/healthz", headers={"X-Request-ID": "x\" injected"})
    generated = response.headers["X-Request-ID"]
    assert generated != "x\" injected" and len(generated) == 32
    assert json.loads(last_line())["request_id"] == generated


def test_plain_lines_by_default(client, last_line) -> None:
    client.get("/healthz")
    message = last_line()
    assert message.startswith("GET /healthz 200 ") and "request=" in message
