"""Love Station marketplace: venture philanthropy for community charity stations (爱心驿站)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from marketplace import writelock
from marketplace.config import load_config
from marketplace.extensions import csrf, db, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = writelock.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        app.config["LOCK_WAIT_SECONDS"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    csrf.init_app(app)

    from marketplace import cli, models  # noqa: F401  (models register the schema)
    from marketplace.web import (
        api,
        auth,
        errors,
        filters,
        i18n,
        ocds,
        pages,
        public,
        site,
        text_guard,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(ocds.bp)
    site.init_app(app)
    pages.register(app)
    errors.register(app)
    text_guard.init_app(app)
    api.init_app(app)  # after CSRFProtect is bound: the API exempts itself
    i18n.init_app(app)
    filters.register(app)
    cli.register(app)

    from marketplace.web import health, logs, pagecache, security  # wrap every response

    app.register_blueprint(health.bp)
    security.init_app(app)
    logs.init_app(app)
    pagecache.init_app(app)  # after logs: a cached answer is still timed, logged, headed
    return app
