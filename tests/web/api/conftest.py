"""API fixtures: a cast of approved accounts, bearer tokens for them, and a settable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from marketplace.models import Account
from tests.factories import PASSWORD, at, gen_cast


class Clock:
    """The time the API sees; tests move it instead of sleeping."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, days: float) -> None:
        self.moment = at(days)


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock(at(0))
    app.config["CLOCK"] = clock
    app.config["API_TOKEN_TTL_HOURS"] = 24 * 365  # a project's life spans months of clock
    return clock


@pytest.fixture
def cast(app, clock):
    return gen_cast()


@pytest.fixture
def auth(client, clock) -> Callable[[Account], dict[str, str]]:
    """Headers with a fresh bearer token for the account."""

    def headers(account: Account) -> dict[str, str]:
        response = client.post("/api/v1/tokens",
                               json={"email": account.email, "password": PASSWORD})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return headers
