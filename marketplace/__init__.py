"""Love Station marketplace: venture philanthropy for community charity stations (爱心驿站)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from marketplace.config import load_config
from marketplace.extensions import READ_BIND, csrf, db, login_manager, migrate
from marketplace.services.core import writelock

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

    if app.config.get("READ_DATABASE_URL"):  # anonymous public reads go there (replica.py)
        app.config["SQLALCHEMY_BINDS"] = {READ_BIND: {
            "url": app.config["READ_DATABASE_URL"],
            **writelock.engine_options(app.config["READ_DATABASE_URL"], {},
                                       app.config["LOCK_WAIT_SECONDS"])}}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    csrf.init_app(app)

    from marketplace import cli, models  # noqa: F401  (models register the schema)
    from marketplace.web import blueprints

    blueprints.register(app)
    cli.register(app)
    return app
