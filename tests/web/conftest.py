"""Web helpers: log in as an account through the real form; a fixed clock for the views."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.models import Account
from tests.factories import PASSWORD


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, account: Account, password: str = PASSWORD):  # noqa: ANN201
        return self.client.post("/login", data={"email": account.email, "password": password})

    def logout(self):  # noqa: ANN201
        return self.client.post("/logout")


def as_a_worker(app: Flask, client: FlaskClient, path: str):  # noqa: ANN201
    """GET ``path`` as a request of its own, in a fresh app context as in a worker: nothing of
    an earlier request (Flask-Login keeps the user in ``g``) is remembered."""
    with app.app_context():
        return client.get(path)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def clock(app: Flask):  # noqa: ANN201
    """Set the views' clock: ``clock(at(20))``."""

    def set_(moment):  # noqa: ANN001, ANN202
        app.config["CLOCK"] = lambda: moment

    return set_
