"""One log line per request: id, method, path, status, duration and the account, if any.

``MARKETPLACE_LOG_FORMAT=json`` writes JSON lines for a log collector; the default is a plain
line for people. The request id comes from ``X-Request-ID`` (set by the load balancer) or is
made here, and is sent back so a user's report can be matched with the log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, request

log = logging.getLogger("marketplace.access")
# C0 and C1 control characters (newlines among them), DEL, the Unicode line and paragraph
# separators, and the backslash that escapes them all.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # anything else could forge log lines


def _handler() -> None:
    """One stream handler on the access logger, however many apps a process creates."""
    if not any(getattr(h, "marketplace_access", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.marketplace_access = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if GOOD_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _account_id() -> int | None:
    """The signed-in account, only if the request already loaded it (logging costs no query)."""
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    return g.get("api_account_id")


def _escaped(text: str) -> str:
    """A logged field can never start a second line nor forge one: %0A in a path is ``\\n``."""
    return CONTROL.sub(lambda c: {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}.get(
        c[0], f"\\x{ord(c[0]):02x}"), text)


SECRET_ARGS = frozenset({"token"})  # path parts that open something (a reset link): not logged


def _logged_path() -> str:
    """The path, or for a route with a secret in it the route's pattern
    (``/password/reset/<token>``): whoever reads the log cannot use the link."""
    if request.view_args and SECRET_ARGS & request.view_args.keys() and request.url_rule:
        return request.url_rule.rule
    return request.path


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started", time.perf_counter())
    line = {"request_id": request_id, "method": _escaped(request.method),
            "path": _escaped(_logged_path()),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "account_id": _account_id()}
    if log.isEnabledFor(logging.INFO):
        if current_app.config.get("LOG_FORMAT") == "json":
            log.info(json.dumps(line, ensure_ascii=False))
        else:
            log.info("%(method)s %(path)s %(status)s %(duration_ms)sms request=%(request_id)s "
                     "account=%(account_id)s", line)
    return response


def init_app(app: Flask) -> None:
    _handler()
    app.before_request(_start)
    app.after_request(_finish)
