"""An opt-in, per-process cache of the busiest anonymous public pages (issue 7).

Off unless ``MARKETPLACE_PUBLIC_CACHE_SECONDS`` is above 0. When on, the public listing, a
project page and the anonymous ``GET /api/v1/projects`` are rendered at most once per that
many seconds per web worker for each exact URL, and served from memory in between: a visitor
may see a page up to that old. Only requests without any cookie and without an
``Authorization`` header are served or stored, and only answers that are 200 and set no
cookie, so a signed-in user, a language chosen in the session or a flashed message never
meets a cached page. Security headers, the request id and the access log still apply to
every answer (they are added after this hook). Each worker keeps its own copy: nothing is
shared, nothing to invalidate across processes, at most ``MAX_ENTRIES`` pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, request

CACHED_ENDPOINTS = frozenset({"public.index", "pages.project", "api.list_projects"})
MAX_ENTRIES = 1024
KEY = "public_cache"


@dataclass
class PageCache:
    """URL → (expires at, body, headers); ``clock`` is monotonic seconds (tests move it)."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    pages: dict[str, tuple[float, bytes, list[tuple[str, str]], int]] = field(
        default_factory=dict)

    def get(self, key: str) -> tuple[bytes, list[tuple[str, str]], int] | None:
        hit = self.pages.get(key)
        if hit is None or hit[0] <= self.clock():
            return None
        return hit[1], hit[2], hit[3]

    def put(self, key: str, body: bytes, headers: list[tuple[str, str]], status: int) -> None:
        now = self.clock()
        if len(self.pages) >= MAX_ENTRIES:
            self.pages = {k: v for k, v in self.pages.items() if v[0] > now}
            if len(self.pages) >= MAX_ENTRIES:  # all fresh: start over rather than grow
                self.pages.clear()
        self.pages[key] = (now + self.seconds, body, headers, status)


def _cacheable() -> bool:
    return (request.method == "GET" and request.endpoint in CACHED_ENDPOINTS
            and not request.cookies and "Authorization" not in request.headers)


def _serve() -> Response | None:
    if not _cacheable():
        return None
    hit = current_app.extensions[KEY].get(request.full_path)
    if hit is None:
        g.public_cache_store = True
        return None
    body, headers, status = hit
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Public-Cache"] = "hit"
    return response


def _store(response: Response) -> Response:
    if (g.pop("public_cache_store", False) and response.status_code == 200
            and "Set-Cookie" not in response.headers and not response.is_streamed):
        headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
        current_app.extensions[KEY].put(request.full_path, response.get_data(), headers,
                                        response.status_code)
        response.headers["X-Public-Cache"] = "miss"
    return response


def init_app(app: Flask) -> None:
    """Registers the hooks only when the cache is on: off, it costs nothing per request."""
    seconds = float(app.config.get("PUBLIC_CACHE_SECONDS") or 0)
    if seconds <= 0:
        return
    app.extensions[KEY] = PageCache(seconds)
    app.before_request(_serve)
    app.after_request(_store)
