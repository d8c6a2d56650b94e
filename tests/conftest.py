"""Fixtures: one schema per run built by the migrations, emptied between tests.

The suite runs on SQLite by default and on PostgreSQL when MARKETPLACE_TEST_DATABASE_URL is set;
`make test` spreads it over the machine's cores (pytest-xdist), each worker with its own database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from marketplace import create_app
from marketplace.extensions import db
from marketplace.services.packaging.catalog_sync import load_catalog

CATALOG_TABLES = {"beneficiary_groups", "indicator_sets", "indicators", "service_areas",
                  "service_types", "service_type_groups"}


def _worker_database(url: str) -> str:
    """The database of this pytest-xdist worker: ``test`` for a serial run, ``test_gw0``… beside it.

    Workers run at once, so each needs its own schema to empty between tests; the server's
    database named in the URL is where the others are created from.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": own.database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _fresh_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MARKETPLACE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = _worker_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def _schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": _fresh_database(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_catalog()
        db.engine.dispose()
    yield config


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in CATALOG_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_schema: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    app = create_app({**_schema, "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MARKETPLACE_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set MARKETPLACE_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
