"""Token auth: a password buys a bearer token; without a live token the API says 401."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import ApiToken
from tests.factories import PASSWORD


def test_token_is_issued_for_the_right_password_and_only_its_hash_is_stored(
        client, cast) -> None:
    response = client.post("/api/v1/tokens",
                           json={"email": cast.community.email, "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["account"]["role"] == "community"
    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert stored.token_hash != token and token not in stored.token_hash


def test_wrong_password_and_unknown_email_get_the_same_401(client, cast) -> None:
    wrong = client.post("/api/v1/tokens", json={"email": cast.community.email, "password": "x"})
    unknown = client.post("/api/v1/tokens", json={"email": "nobody@x.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"] == "unauthorized"


def test_calls_that_need_an_account_refuse_a_missing_or_bad_token(client, cast) -> None:
    missing = client.post("/api/v1/projects/1/subscriptions", json={"amount_fen": 100})
    assert missing.status_code == 401 and missing.json["error"] == "unauthorized"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    bad = client.get("/api/v1/projects", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    wrong_scheme = client.get("/api/v1/projects", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401


def test_a_token_expires(client, cast, auth, clock, app) -> None:
    app.config["API_TOKEN_TTL_HOURS"] = 2
    headers = auth(cast.admin)
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    clock.set(2 / 24)
    expired = client.get("/api/v1/projects", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json["message"]


def test_token_lifetime_comes_from_the_environment(monkeypatch, tmp_path) -> None:
    from marketplace import create_app

    monkeypatch.setenv("MARKETPLACE_API_TOKEN_TTL_HOURS", "3")
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    assert create_app().config["API_TOKEN_TTL_HOURS"] == 3


def test_revoking_the_current_token_makes_it_fail_with_401_json(client, cast, auth) -> None:
    headers, other = auth(cast.community), auth(cast.community)
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    revoked = client.delete("/api/v1/tokens/current", headers=headers)
    assert revoked.status_code == 200 and revoked.json["revoked_at"].endswith("Z")
    after = client.get("/api/v1/projects", headers=headers)
    assert after.status_code == 401 and after.json["error"] == "unauthorized"
    assert after.headers["WWW-Authenticate"] == "Bearer"
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 401
    assert client.get("/api/v1/projects", headers=other).status_code == 200  # only that one
    assert client.delete("/api/v1/tokens/current").status_code == 401


def test_a_token_records_when_it_was_last_used(client, cast, auth, clock) -> None:
    headers = auth(cast.community)
    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert stored.last_used_at is None
    client.get("/api/v1/projects", headers=headers)
    db.session.expire_all()
    assert stored.last_used_at == clock()
