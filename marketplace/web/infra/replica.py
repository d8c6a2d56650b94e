"""Anonymous reads from a read-only copy of the database, when one is configured.

``MARKETPLACE_READ_DATABASE_URL`` names a streaming replica of the primary (PostgreSQL's own
replication). A GET of a public page or of the anonymous API by someone not signed in reads
there; every other request (any write, any signed-in page, any bearer token) uses the
primary, so nobody reads their own change from a copy that may lag a moment behind. The
choice is made before the request reads anything and holds for the whole request.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

from marketplace.extensions import READ_BIND, db

PUBLIC_BLUEPRINTS = frozenset({"public", "pages", "site", "transparency", "record", "ocds", "api"})


def public_read() -> bool:
    """Whether the request reads only what anyone may see, as anyone: a GET of a public page
    or of the API by a visitor neither signed in nor holding a token."""
    return (request.method in ("GET", "HEAD") and request.blueprint in PUBLIC_BLUEPRINTS
            and "Authorization" not in request.headers and not current_user.is_authenticated)


def _choose() -> None:
    if READ_BIND in db.engines and public_read():
        g.read_from_replica = True


def _done(_error: BaseException | None) -> None:
    g.pop("read_from_replica", None)


def init_app(app: Flask) -> None:
    """First among the request hooks: the choice is made before anything is read."""
    app.before_request_funcs.setdefault(None, []).insert(0, _choose)
    app.teardown_request(_done)
