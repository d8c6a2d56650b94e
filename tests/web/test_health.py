"""/healthz tells a load balancer whether this worker can reach its database."""

from __future__ import annotations

from marketplace import create_app
from marketplace.extensions import db


def test_healthz_is_200_when_the_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(app, _schema, tmp_path) -> None:
    gone = f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"
    broken = create_app({**_schema, "SQLALCHEMY_DATABASE_URI": gone})
    response = broken.test_client().get("/healthz")
    with broken.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
