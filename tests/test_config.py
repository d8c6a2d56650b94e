"""Settings from the environment: safe local defaults, a clear error in production."""

import pytest

from marketplace import create_app
from marketplace.config import ConfigError


def test_production_without_a_secret_key_refuses_to_start(monkeypatch) -> None:
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.delenv("MARKETPLACE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="MARKETPLACE_SECRET_KEY must be set"):
        create_app()


def test_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "s3cret")
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s3cret"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
