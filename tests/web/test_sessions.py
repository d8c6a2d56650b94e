"""Sessions end when people leave (issue 12, 6.): a copied session cookie opens nothing once
its account logged out or changed its password, and a session idle for longer than
``MARKETPLACE_SESSION_IDLE_HOURS`` is over."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from itsdangerous import TimestampSigner

from marketplace.models import Role
from tests.factories import PASSWORD, gen_account
from tests.web.conftest import as_a_worker


def _signed_in(app: Flask, account):  # noqa: ANN001, ANN202
    client = app.test_client()
    answer = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def _replay(app: Flask, cookie: str):  # noqa: ANN202
    """What an attacker holding a copy of the cookie gets from the enterprise's page."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return as_a_worker(app, thief, "/enterprise/")


def test_the_cookie_copied_before_logout_no_longer_opens_the_page(app) -> None:
    account = gen_account(Role.ENTERPRISE)
    client = _signed_in(app, account)
    cookie = client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200  # the copy works while the session lasts
    assert client.post("/logout").status_code == 302
    answer = _replay(app, cookie)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_logging_out_ends_the_other_devices_sessions_too(app) -> None:
    account = gen_account(Role.ENTERPRISE)
    laptop, phone = _signed_in(app, account), _signed_in(app, account)
    laptop.post("/logout")
    assert as_a_worker(app, phone, "/enterprise/").status_code == 302
    again = _signed_in(app, account)  # log in again
    assert as_a_worker(app, again, "/enterprise/").status_code == 200


def test_a_new_password_ends_every_session(app, runner) -> None:
    account = gen_account(Role.ENTERPRISE)
    client = _signed_in(app, account)
    result = runner.invoke(args=["accounts", "set-password", account.email],
                           input="another-pass\nanother-pass\n")
    assert result.exit_code == 0, result.output
    assert as_a_worker(app, client, "/enterprise/").status_code == 302
    answer = app.test_client().post("/login", data={"email": account.email,
                                                    "password": "another-pass"})
    assert answer.status_code == 302


@pytest.mark.parametrize(("idle_hours", "status"), [(11, 200), (13, 302)])
def test_a_session_idle_past_the_lifetime_is_over(app, monkeypatch, idle_hours,
                                                  status) -> None:
    """The cookie is signed ``idle_hours`` ago (its signature carries the time); the default
    lifetime is 12 hours of idleness."""
    account = gen_account(Role.ENTERPRISE)
    signed_at = int(time.time()) - idle_hours * 3600
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda _self: signed_at)
        client = _signed_in(app, account)
    assert client.get_cookie("session").expires is not None  # a lasting cookie, renewed
    assert as_a_worker(app, client, "/enterprise/").status_code == status
