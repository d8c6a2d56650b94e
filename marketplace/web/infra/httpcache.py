"""HTTP caching of what anyone may see: an ``ETag`` of what was said, ``304`` for a copy that is
still true, and ``Cache-Control`` a reverse proxy can act on.

A public answer's tag is the hash of its bytes, so two answers share a tag exactly when they say
the same. To answer ``304`` without drawing the page at all, each worker remembers the tag it
sent for a URL under a key of everything the page depends on: the database's version as
``memo.database_version`` sees it (changed by every commit, whoever made it), the URL, the
language and the minute (days left and "closes at" move with the clock, not
with the data). A request whose ``If-None-Match`` names the remembered tag under the current
key costs one statement; otherwise the page is drawn and still answered ``304`` when its bytes
are those the client holds. On PostgreSQL any commit on the server changes the version, so a
busy server draws the page more often, never answers from an untrue tag.

Signed-in pages, a request with a bearer token and a visitor with messages waiting are never
shared: ``private, no-cache``. ``MARKETPLACE_HTTP_CACHE_SECONDS`` (default 5) is how long a proxy
may serve a public answer without asking again; 0 makes every answer ask (``no-cache``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale

from marketplace.clock import current_time
from marketplace.services.core.memo import database_version
from marketplace.web.infra.replica import public_read

KEY = "http_cache_tags"


def _shared() -> bool:
    """Whether this request's answer is the same for every anonymous reader of the URL."""
    return public_read() and not session.get("_flashes")


MAX_KEPT = 4096  # remembered tags per worker; a URL is a few hundred bytes


def _key() -> Hashable | None:
    """What the page depends on, or None when the database cannot say its version. The tags
    are remembered per worker, so SQLite's per-connection version is never compared with
    another process's, and a deploy starts with none."""
    version = database_version()
    if version is None:
        return None
    minute = current_time().replace(second=0, microsecond=0).isoformat()
    return (version, request.full_path, str(get_locale()), minute)


def _answer_from_tag() -> Response | None:
    """304 before the view runs, when the client holds the tag sent under the current key."""
    g.http_cache_key = None
    if not _shared():
        return None
    key = g.http_cache_key = _key()
    tag = current_app.extensions[KEY].get(key) if key is not None else None
    if tag and request.if_none_match.contains_weak(tag):  # a proxy's gzip may weaken it
        response = current_app.response_class(status=304)
        _headed(response, tag)
        return response
    return None


def _headed(response: Response, tag: str | None) -> None:
    seconds = int(current_app.config.get("HTTP_CACHE_SECONDS", 5))
    if tag:
        response.set_etag(tag)
    response.headers["Cache-Control"] = (f"public, max-age={seconds}" if seconds > 0
                                         else "public, no-cache")
    response.vary.add("Cookie")


def _remember(key: Hashable, tag: str) -> None:
    kept: dict[Hashable, str] = current_app.extensions[KEY]
    if len(kept) >= MAX_KEPT:
        kept.clear()
    kept[key] = tag


def _mark(response: Response) -> Response:
    key = g.pop("http_cache_key", None)
    if response.status_code == 304:
        return response
    if response.status_code == 200 and _shared() and not session.modified \
            and "Set-Cookie" not in response.headers:
        tag = None
        if not response.is_streamed:
            tag = hashlib.sha256(response.get_data()).hexdigest()[:32]
            if key is not None:
                _remember(key, tag)
        _headed(response, tag)
        if tag:
            response.make_conditional(request)  # the same bytes the client holds: 304
    elif "Cache-Control" not in response.headers:  # a file's own answer keeps its own
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.extensions[KEY] = {}
    app.before_request(_answer_from_tag)
    app.after_request(_mark)
