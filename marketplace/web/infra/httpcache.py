"""HTTP caching of what anyone may see: an ``ETag`` from the database's version, ``304`` for a
copy that is still true, and ``Cache-Control`` a reverse proxy can act on.

A public page (and the anonymous API) says the same to every visitor reading it in the same
language at the same minute while the database is unchanged, so its tag is made of exactly
those: the build of the code, the database's version as ``memo.database_version`` sees it
(changed by every commit, whoever made it), the URL, the language and the minute (days left
and "closes at" move with the clock, not with the data). A request whose ``If-None-Match``
names the tag is answered ``304`` before the view runs: one statement instead of the page.

Signed-in pages, a request with a bearer token and a visitor with messages waiting are never
shared: ``private``. ``MARKETPLACE_HTTP_CACHE_SECONDS`` (default 5) is how long a proxy may
serve a public answer without asking again; 0 makes every answer ask (``no-cache``) while
the tags still save the page.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Hashable
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user

from marketplace.extensions import db
from marketplace.services.core.memo import database_version
from marketplace.web.infra.clock import current_time

PUBLIC_BLUEPRINTS = frozenset({"public", "pages", "site", "transparency", "record", "ocds", "api"})
PACKAGE = Path(__file__).resolve().parents[2]
KEY = "http_cache_build"


def build_id() -> str:
    """The code's own version: its files' names, sizes and times, so a deploy changes every
    tag (a template changed with the data unchanged is a different page)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".html", ".po", ".css", ".svg", ".json", ".csv"}:
            stat = path.stat()
            digest.update(f"{path.relative_to(PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _shared() -> bool:
    """Whether this request's answer is the same for every anonymous reader of the URL."""
    return (request.method in ("GET", "HEAD") and request.blueprint in PUBLIC_BLUEPRINTS
            and "Authorization" not in request.headers
            and not current_user.is_authenticated and not session.get("_flashes"))


_process: tuple[int, str] | None = None


def _this_process() -> tuple[int, str]:
    """Names this worker process: SQLite's version counts changes per connection, so two
    workers may each see the same numbers for different data; a forked worker names itself
    anew."""
    global _process
    if _process is None or _process[0] != os.getpid():
        _process = (os.getpid(), secrets.token_hex(8))
    return _process


def _tag(version: Hashable) -> str:
    if db.engine.dialect.name != "postgresql":  # PostgreSQL's snapshot is the server's own
        version = (_this_process(), version)
    minute = current_time().replace(second=0, microsecond=0).isoformat()
    said = repr((current_app.extensions[KEY], version, request.full_path, str(get_locale()),
                 minute))
    return hashlib.sha256(said.encode()).hexdigest()[:32]


def _answer_from_tag() -> Response | None:
    g.http_cache_tag = None
    if not _shared():
        return None
    version = database_version()
    if version is None:
        return None
    tag = g.http_cache_tag = _tag(version)
    if request.if_none_match.contains_weak(tag):  # a proxy's gzip may have weakened it
        response = current_app.response_class(status=304)
        _headed(response, tag)
        return response
    return None


def _headed(response: Response, tag: str) -> None:
    seconds = int(current_app.config.get("HTTP_CACHE_SECONDS", 5))
    response.set_etag(tag)
    response.headers["Cache-Control"] = (f"public, max-age={seconds}" if seconds > 0
                                         else "public, no-cache")
    response.vary.add("Cookie")


def _mark(response: Response) -> Response:
    tag = g.pop("http_cache_tag", None)
    if response.status_code == 304:
        return response
    if tag and response.status_code == 200 and not session.modified \
            and "Set-Cookie" not in response.headers:
        _headed(response, tag)
    elif "Cache-Control" not in response.headers:  # a file's own answer keeps its own
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.extensions[KEY] = build_id()
    app.before_request(_answer_from_tag)
    app.after_request(_mark)
