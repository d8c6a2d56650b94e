"""Text no database can store: a NUL character anywhere in a request is refused with a 400.

PostgreSQL text cannot hold NUL (0x00): a value carrying one fails as a server error the
moment it reaches a query (a log-in e-mail reaches the throttle's query before any check).
No field of the product has a use for it, so the request is refused before any view runs,
whatever carries it: the query string, a form, or anywhere in a JSON body, keys included.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

NUL = "\x00"
REFUSED = "Text must not contain NUL (0x00) characters."


def _carries_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_carries_nul(k) or _carries_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_carries_nul(item) for item in value)
    return False


def _refuse_nul() -> None:
    fields = [*request.args.lists(), *request.form.lists()]
    if any(_carries_nul(name) or _carries_nul(values) for name, values in fields) or \
            (request.is_json and _carries_nul(request.get_json(silent=True))):
        abort(400, description=REFUSED)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
