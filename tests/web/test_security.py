"""Security headers and cookie flags a browser relies on, body limits, and the proxy setting."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from marketplace import create_app
from marketplace.config import load_config
from marketplace.extensions import db
from marketplace.models import Role
from tests.factories import PASSWORD, gen_account

TEMPLATES = Path(__file__).resolve().parents[2] / "marketplace" / "templates"


@pytest.fixture
def other_app(_schema) -> Iterator[Callable[..., Flask]]:  # noqa: ANN001
    """Another app on the test database with some settings changed; its pool closed after."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        made.append(create_app({**_schema, **settings}))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _session_cookie(response) -> str:  # noqa: ANN001
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


@pytest.mark.parametrize("url", ["/", "/login", "/api/v1/projects", "/healthz", "/nowhere"])
def test_every_response_forbids_framing_sniffing_and_foreign_scripts(client, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_carry_no_inline_script_or_style() -> None:
    """The policy would block them: a page would silently lose its script or its layout."""
    offending = []
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)", source) or re.search(r"\sstyle=", source) \
                or re.search(r"<style\b", source) or re.search(r"\son[a-z]+=", source):
            offending.append(template.name)
    assert not offending


def test_hsts_only_over_https(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost").headers
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(app, client) -> None:
    account = gen_account(Role.ENTERPRISE)
    form = {"email": account.email, "password": PASSWORD}
    plain = _session_cookie(client.post("/login", data=form))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = _session_cookie(app.test_client().post("/login", data=form,
                                                    base_url="https://localhost"))
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure


def test_production_marks_cookies_secure_even_behind_plain_http(app, other_app) -> None:
    production = other_app(ENV_NAME="production")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    account = gen_account(Role.ENTERPRISE)
    response = production.test_client().post(
        "/login", data={"email": account.email, "password": PASSWORD})
    assert "Secure" in _session_cookie(response)


def test_oversized_body_is_refused_with_413_before_it_is_read(app, client) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/tokens", json={"email": "x" * 4000, "password": "y"})
    assert response.status_code == 413
    assert response.json["error"] == "request_entity_too_large"


def test_body_limit_comes_from_the_environment(monkeypatch, tmp_path) -> None:
    assert load_config(tmp_path)["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    monkeypatch.setenv("MARKETPLACE_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("MARKETPLACE_PROXY_COUNT", "2")
    config = load_config(tmp_path)
    assert config["MAX_CONTENT_LENGTH"] == 2048 and config["PROXY_COUNT"] == 2


def test_forwarded_https_is_trusted_only_when_a_proxy_is_configured(app, other_app) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = other_app().test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers
    proxied = other_app(PROXY_COUNT=1)
    assert "Strict-Transport-Security" in proxied.test_client().get("/", headers=forwarded).headers
